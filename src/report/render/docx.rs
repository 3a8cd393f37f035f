//! Word (.docx): the page as an A4 Office Open XML document that Word, WPS and LibreOffice
//! open and print as a hospital expects.
//!
//! - **Paper and margins:** A4 (11906 × 16838 twips) with the margins of GB/T 9704-2012
//!   §5.2.1 (党政机关公文格式): top 37 mm, left 28 mm, a 156 × 225 mm text block, hence
//!   bottom 35 mm and right 26 mm.
//! - **Fonts and sizes:** Latin text in Times New Roman, Chinese in 宋体 (SimSun), body 小四
//!   (12 pt), tables 五号 (10.5 pt); the title and headings in 黑体 (SimHei): title 小二
//!   (18 pt), level 1 三号 (16 pt), level 2 四号 (14 pt), level 3 小四 (12 pt). The headings
//!   are real named styles (`Title`, `heading 1`–`heading 3`), so Word's navigation pane and
//!   any reader of the file find them.
//! - **Header and footer:** the page's running head, small and on the right; the footer
//!   numbers the pages with PAGE and NUMPAGES fields (`第 X 页，共 Y 页` / `Page X of Y`).
//! - **Blocks:** headings (a new page where asked), paragraphs, the verdict as a shaded box,
//!   label–value forms and tables as tables (header rows repeat on every printed page, rows
//!   never split), lists with Word numbering, charts as tables of their numbers, the
//!   signature block as a borderless table with room to sign, code in a fixed-width font.
//! - **Safe text:** every string is plain text; XML 1.0 forbids most control characters,
//!   so those (and U+FFFE, U+FFFF) are written as visible `\u{…}` escapes and a hostile file
//!   name can never make the file unreadable. Newlines become line breaks.
//! - **Deterministic:** the same page gives the same bytes (zip times are fixed, paragraph
//!   ids are numbered in order, the document's dates come from the page).
//!
//! What the `docx-rs` writer has no call for is added to its XML parts before they are
//! zipped: `w:tblHeader` on header rows, the document language (`w:lang`) and `Normal` as the
//! default paragraph style; the core properties (title, language, dates) are written here.

use std::io::{self, Cursor};

use docx_rs::{
    AbstractNumbering, AlignmentType, BorderType, BreakType, Docx, Footer, Header, HeightRule,
    IndentLevel, Level, LevelJc, LevelOverride, LevelText, LineSpacing, LineSpacingType, NumPages,
    NumberFormat, Numbering, NumberingId, PageMargin, PageNum, Paragraph, Run, RunFonts, Shading,
    SpecialIndentType, Start, Style, StyleType, Table as WTable, TableBorder, TableBorderPosition,
    TableBorders, TableCell, TableCellMargins, TableLayoutType, TableRow, VAlignType, WidthType,
};

use crate::report::page::{
    Block, Chart, Field, Mark, MarkKind, Page, Signatory, Table, Text, Tone,
};

/// A4 width in twips (1/20 pt): 210 mm.
const PAGE_W: u32 = 11906;
/// A4 height in twips: 297 mm.
const PAGE_H: u32 = 16838;
/// Top margin, 37 mm (GB/T 9704-2012 §5.2.1: 天头 37 mm).
const TOP: u32 = mm(37);
/// Bottom margin, 35 mm (297 − 37 − 225 mm text block).
const BOTTOM: u32 = mm(35);
/// Left margin, 28 mm (GB/T 9704-2012 §5.2.1: 订口 28 mm).
const LEFT: u32 = mm(28);
/// Right margin, 26 mm (210 − 28 − 156 mm text block).
const RIGHT: u32 = mm(26);
/// Width of the text block in twips (≈ 156 mm); tables span it.
const TEXT_W: usize = (PAGE_W - LEFT - RIGHT) as usize;

/// Font sizes in half-points, by their Chinese names.
const XIAO_ER: usize = 36; // 小二 18 pt
const SAN_HAO: usize = 32; // 三号 16 pt
const SI_HAO: usize = 28; // 四号 14 pt
const XIAO_SI: usize = 24; // 小四 12 pt
const WU_HAO: usize = 21; // 五号 10.5 pt
const XIAO_WU: usize = 18; // 小五 9 pt

/// Header rows get this minimum height (7.1 mm); it marks them for the `w:tblHeader` pass, so
/// no other row may use it.
const HEADER_ROW_H: f32 = 403.0;
/// A row left blank for a hand-written value or a signature: 14 mm.
const SIGN_ROW_H: f32 = 794.0;
/// A blank form value: 10 mm.
const BLANK_ROW_H: f32 = 567.0;

/// Abstract numbering ids (docx-rs writes its own default as 1).
const DECIMAL_LIST: usize = 2;
const BULLET_LIST: usize = 3;

/// `v` millimetres in twips, rounded.
const fn mm(v: u32) -> u32 {
    (v * 14400 + 127) / 254
}

/// The page as the bytes of a .docx package.
///
/// # Errors
/// When the package cannot be assembled (the zip writer fails).
pub fn render(page: &Page) -> io::Result<Vec<u8>> {
    let mut w = Writer::new(page);
    w.title(page);
    for block in &page.blocks {
        w.block(block);
    }
    if !page.footer.is_empty() {
        let p = w.para().style("Note").add_run(text_run(&page.footer));
        w.add_p(p.line_spacing(LineSpacing::new().before(240)));
    }
    let mut xml = w.docx.build();
    xml.document = mark_header_rows(&xml.document);
    xml.styles = patch_styles(&xml.styles, w.zh);
    xml.doc_props.core = core_properties(page).into_bytes();
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out).map_err(io::Error::other)?;
    Ok(out.into_inner())
}

/// The document as it is assembled.
struct Writer {
    docx: Docx,
    /// A Chinese page (Chinese labels, 宋体 for punctuation).
    zh: bool,
    /// The last paragraph id given (ids are numbered in order so that output is stable).
    para_id: u32,
    /// The last numbering instance given (one per list, so each list starts at 1).
    num_id: usize,
}

impl Writer {
    fn new(page: &Page) -> Writer {
        let zh = page.lang.starts_with("zh");
        let mut w = Writer {
            docx: Docx::new(),
            zh,
            para_id: 0,
            num_id: 1,
        };
        let header = Header::new().add_paragraph(
            w.para()
                .style("Header")
                .align(AlignmentType::Right)
                .add_run(text_run(&page.running_head)),
        );
        let (before, middle, after) = if zh {
            ("第 ", " 页，共 ", " 页")
        } else {
            ("Page ", " of ", "")
        };
        let footer = Footer::new().add_paragraph(
            w.para()
                .style("Footer")
                .align(AlignmentType::Center)
                .add_run(Run::new().add_text(before))
                .add_page_num(PageNum::new())
                .add_run(Run::new().add_text(middle))
                .add_num_pages(NumPages::new())
                .add_run(Run::new().add_text(after)),
        );
        let margin = PageMargin::new()
            .top(twips(TOP))
            .bottom(twips(BOTTOM))
            .left(twips(LEFT))
            .right(twips(RIGHT))
            .header(twips(mm(15)))
            .footer(twips(mm(18)))
            .gutter(0);
        let docx = std::mem::take(&mut w.docx)
            .page_size(PAGE_W, PAGE_H)
            .page_margin(margin)
            .default_fonts(fonts("Times New Roman", "SimSun", zh))
            .default_size(XIAO_SI)
            .default_line_spacing(spacing(0, 120, 300))
            .header(header)
            .footer(footer)
            .add_abstract_numbering(list_numbering(DECIMAL_LIST, true))
            .add_abstract_numbering(list_numbering(BULLET_LIST, false));
        w.docx = styles(docx, zh);
        w
    }

    /// A new paragraph with the next id.
    fn para(&mut self) -> Paragraph {
        self.para_id += 1;
        Paragraph::new().id(format!("{:08X}", self.para_id))
    }

    fn add_p(&mut self, p: Paragraph) {
        self.docx = std::mem::take(&mut self.docx).add_paragraph(p);
    }

    /// Add a table, then a small empty paragraph: Word joins two tables that touch.
    fn add_t(&mut self, t: WTable) {
        self.docx = std::mem::take(&mut self.docx).add_table(t);
        let gap = self.para().style("Note");
        self.add_p(gap);
    }

    fn title(&mut self, page: &Page) {
        let p = self.para().style("Title").add_run(text_run(&page.title));
        self.add_p(p);
        if let Some(sub) = &page.subtitle {
            let p = self.para().style("Subtitle").add_run(text_run(sub));
            self.add_p(p);
        }
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading {
                level,
                text,
                new_page,
            } => {
                let style = match level {
                    0 | 1 => "Heading1",
                    2 => "Heading2",
                    _ => "Heading3",
                };
                let p = self
                    .para()
                    .style(style)
                    .page_break_before(*new_page)
                    .add_run(text_run(text));
                self.add_p(p);
            }
            Block::Paragraph(text) => {
                let p = self.para().add_run(styled_run(text));
                self.add_p(p);
            }
            Block::Verdict {
                headline,
                detail,
                tone,
            } => self.verdict(headline, detail, *tone),
            Block::Fields(fields) => self.fields(fields),
            Block::Table(table) => self.table(table),
            Block::List { ordered, items } => self.list(*ordered, items),
            Block::Chart(chart) => {
                let table = self.chart_table(chart);
                self.table(&table);
            }
            Block::Signatures(parties) => self.signatures(parties),
            Block::Code(code) => {
                let p = self.para().style("Code").add_run(text_run(code));
                self.add_p(p);
            }
        }
    }

    /// The verdict: a one-cell box, bordered and shaded in its tone.
    fn verdict(&mut self, headline: &str, detail: &str, tone: Tone) {
        let head = self.para().style("TableText").keep_next(true).add_run(
            text_run(headline)
                .bold()
                .size(SI_HAO)
                .color(tone_color(tone).unwrap_or("000000")),
        );
        let mut cell = TableCell::new()
            .width(TEXT_W, WidthType::Dxa)
            .shading(fill(tone_fill(tone)))
            .add_paragraph(head);
        if !detail.is_empty() {
            let body = self
                .para()
                .style("TableText")
                .line_spacing(spacing(60, 0, 276))
                .add_run(text_run(detail).size(XIAO_SI));
            cell = cell.add_paragraph(body);
        }
        let border = tone_color(tone).unwrap_or("000000");
        let table = WTable::new(vec![TableRow::new(vec![cell]).cant_split()])
            .set_grid(vec![TEXT_W])
            .width(TEXT_W, WidthType::Dxa)
            .layout(TableLayoutType::Fixed)
            .margins(TableCellMargins::new().margin(120, 170, 120, 170))
            .set_borders(borders(BorderType::Single, 12, border));
        self.add_t(table);
    }

    /// Label–value pairs: two columns, the labels shaded.
    fn fields(&mut self, fields: &[Field]) {
        if fields.is_empty() {
            return;
        }
        let grid = column_widths(&[30, 70], 2);
        let rows = fields
            .iter()
            .map(|f| {
                let label = self.para().style("TableText").add_run(text_run(&f.label));
                let value = self.para().style("TableText").add_run(styled_run(&f.value));
                let row = TableRow::new(vec![
                    TableCell::new()
                        .width(grid[0], WidthType::Dxa)
                        .shading(fill("F2F2F2"))
                        .add_paragraph(label),
                    TableCell::new()
                        .width(grid[1], WidthType::Dxa)
                        .add_paragraph(value),
                ])
                .cant_split();
                if f.value.text.trim().is_empty() {
                    row.row_height(BLANK_ROW_H).height_rule(HeightRule::AtLeast)
                } else {
                    row
                }
            })
            .collect();
        self.add_t(grid_table(rows, grid));
    }

    /// A table: caption above, a shaded header row repeated on every page, the note below.
    fn table(&mut self, table: &Table) {
        if let Some(caption) = &table.caption {
            let p = self
                .para()
                .style("Caption")
                .keep_next(true)
                .add_run(text_run(caption));
            self.add_p(p);
        }
        let columns = table
            .rows
            .iter()
            .map(Vec::len)
            .chain([table.header.len()])
            .max()
            .unwrap_or(0);
        if columns > 0 {
            let grid = column_widths(&table.widths, columns);
            let mut rows = Vec::with_capacity(table.rows.len() + 1);
            if !table.header.is_empty() {
                let cells = (0..columns)
                    .map(|i| {
                        let name = table.header.get(i).map_or("", String::as_str);
                        let p = self
                            .para()
                            .style("TableText")
                            .add_run(text_run(name).bold());
                        TableCell::new()
                            .width(grid[i], WidthType::Dxa)
                            .shading(fill("D9D9D9"))
                            .vertical_align(VAlignType::Center)
                            .add_paragraph(p)
                    })
                    .collect();
                rows.push(
                    TableRow::new(cells)
                        .cant_split()
                        .row_height(HEADER_ROW_H)
                        .height_rule(HeightRule::AtLeast),
                );
            }
            let empty = Text::default();
            for row in &table.rows {
                let cells = (0..columns)
                    .map(|i| {
                        let text = row.get(i).unwrap_or(&empty);
                        let p = self.para().style("TableText").add_run(styled_run(text));
                        TableCell::new()
                            .width(grid[i], WidthType::Dxa)
                            .add_paragraph(p)
                    })
                    .collect();
                rows.push(TableRow::new(cells).cant_split());
            }
            self.docx = std::mem::take(&mut self.docx).add_table(grid_table(rows, grid));
        }
        let note = table.note.as_deref().unwrap_or("");
        let p = self.para().style("Note").add_run(text_run(note));
        self.add_p(p);
    }

    /// A list with Word numbering: `1.` `2.` … or bullets; each list starts at 1.
    fn list(&mut self, ordered: bool, items: &[Text]) {
        if items.is_empty() {
            return;
        }
        self.num_id += 1;
        let id = self.num_id;
        let numbering = if ordered {
            Numbering::new(id, DECIMAL_LIST).add_override(LevelOverride::new(0).start(1))
        } else {
            Numbering::new(id, BULLET_LIST)
        };
        self.docx = std::mem::take(&mut self.docx).add_numbering(numbering);
        for item in items {
            let p = self
                .para()
                .numbering(NumberingId::new(id), IndentLevel::new(0))
                .line_spacing(spacing(0, 60, 300))
                .add_run(styled_run(item));
            self.add_p(p);
        }
    }

    /// A chart as the table of its numbers.
    fn chart_table(&self, chart: &Chart) -> Table {
        let pick = |zh: &'static str, en: &'static str| if self.zh { zh } else { en };
        match chart {
            Chart::Bars {
                title,
                legend,
                rows,
            } => {
                let mut header = vec![pick("项目", "Item").to_owned()];
                header.extend(legend.iter().map(|(name, _)| name.clone()));
                let mut widths = vec![40];
                let share = u16::try_from(60 / legend.len().max(1)).unwrap_or(1);
                widths.extend(legend.iter().map(|_| share));
                let rows = rows
                    .iter()
                    .map(|row| {
                        let mut cells = vec![Text::plain(row.label.clone())];
                        cells.extend(legend.iter().enumerate().map(|(i, (_, tone))| {
                            let v = row.values.get(i).copied().unwrap_or(0);
                            let tone = if v == 0 { Tone::Plain } else { *tone };
                            Text::toned(v.to_string(), tone)
                        }));
                        cells
                    })
                    .collect();
                Table {
                    caption: Some(title.clone()),
                    header,
                    widths,
                    rows,
                    note: None,
                }
            }
            Chart::Timeline {
                title,
                marks,
                today,
            } => Table {
                caption: Some(title.clone()),
                header: vec![
                    pick("日期", "Date").to_owned(),
                    pick("类型", "Kind").to_owned(),
                    pick("事项", "Event").to_owned(),
                ],
                widths: vec![22, 16, 62],
                rows: timeline_rows(marks, today.as_deref(), self.zh),
                note: None,
            },
        }
    }

    /// The signature block: a borderless table, one column per party, tall rows to sign in.
    fn signatures(&mut self, parties: &[Signatory]) {
        if parties.is_empty() {
            return;
        }
        let grid = column_widths(&[], parties.len());
        let lines = parties.iter().map(|s| s.lines.len()).max().unwrap_or(0);
        let mut rows = Vec::with_capacity(lines + 2);
        for line in 0..lines + 2 {
            let cells = parties
                .iter()
                .enumerate()
                .map(|(i, party)| {
                    let run = match line {
                        0 => text_run(&party.role).bold(),
                        1 => text_run(party.name.as_deref().unwrap_or("")),
                        n => text_run(party.lines.get(n - 2).map_or("", String::as_str)),
                    };
                    let p = self.para().style("TableText").add_run(run.size(XIAO_SI));
                    TableCell::new()
                        .width(grid[i], WidthType::Dxa)
                        .vertical_align(VAlignType::Bottom)
                        .add_paragraph(p)
                })
                .collect();
            let row = TableRow::new(cells).cant_split();
            rows.push(if line >= 2 {
                row.row_height(SIGN_ROW_H).height_rule(HeightRule::AtLeast)
            } else {
                row
            });
        }
        let table = grid_table(rows, grid)
            .set_borders(borders(BorderType::Nil, 0, "auto"))
            .margins(TableCellMargins::new().margin(60, 170, 60, 0));
        self.docx = std::mem::take(&mut self.docx).add_table(table);
        let gap = self.para().style("Note");
        self.add_p(gap);
    }
}

/// A timeline's marks as rows (date, kind, event), with "today" among them in date order.
fn timeline_rows(marks: &[Mark], today: Option<&str>, zh: bool) -> Vec<Vec<Text>> {
    let kind = |k: MarkKind| match (k, zh) {
        (MarkKind::Trigger, true) => "起算",
        (MarkKind::Trigger, false) => "Start",
        (MarkKind::Deposit, true) => "托管",
        (MarkKind::Deposit, false) => "Deposit",
        (MarkKind::Due, true) => "期限",
        (MarkKind::Due, false) => "Due",
    };
    let mut rows = Vec::with_capacity(marks.len() + 1);
    let mut today = today;
    for mark in marks {
        if let Some(day) = today.filter(|d| *d < mark.date.as_str()) {
            rows.push(today_row(day, zh));
            today = None;
        }
        rows.push(vec![
            Text::plain(mark.date.clone()),
            Text::plain(kind(mark.kind)),
            Text::toned(mark.label.clone(), mark.tone),
        ]);
    }
    if let Some(day) = today {
        rows.push(today_row(day, zh));
    }
    rows
}

fn today_row(day: &str, zh: bool) -> Vec<Text> {
    vec![
        Text::strong(day),
        Text::plain("—"),
        Text::strong(if zh { "今天" } else { "Today" }),
    ]
}

/// The named styles: title, subtitle, headings 1–3, caption, table text, notes, code, header
/// and footer. Names are Word's built-in ones where one exists, so Word treats them as such.
fn styles(docx: Docx, zh: bool) -> Docx {
    let hei = || fonts("Times New Roman", "SimHei", zh);
    let heading = |id: &str, name: &str, size: usize, level: usize, before: u32| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .fonts(hei())
            .size(size)
            .bold()
            .outline_lvl(level)
            .line_spacing(spacing(before, 120, 240))
    };
    let small = |id: &str, name: &str, size: usize| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .size(size)
            .line_spacing(spacing(0, 0, 240))
    };
    docx.add_style(
        heading("Title", "Title", XIAO_ER, 0, 0)
            .align(AlignmentType::Center)
            .line_spacing(spacing(0, 240, 240)),
    )
    .add_style(
        Style::new("Subtitle", StyleType::Paragraph)
            .name("Subtitle")
            .based_on("Normal")
            .align(AlignmentType::Center)
            .size(XIAO_SI)
            .line_spacing(spacing(0, 240, 240)),
    )
    .add_style(heading("Heading1", "heading 1", SAN_HAO, 0, 360))
    .add_style(heading("Heading2", "heading 2", SI_HAO, 1, 240))
    .add_style(heading("Heading3", "heading 3", XIAO_SI, 2, 180))
    .add_style(
        small("Caption", "caption", WU_HAO)
            .bold()
            .line_spacing(spacing(120, 60, 240)),
    )
    .add_style(small("TableText", "Table Text", WU_HAO))
    .add_style(small("Note", "Note", XIAO_WU).line_spacing(spacing(60, 120, 240)))
    .add_style(
        small("Code", "Code", XIAO_WU)
            .fonts(fonts("Courier New", "SimSun", zh))
            .line_spacing(spacing(60, 120, 240)),
    )
    .add_style(small("Header", "header", XIAO_WU).color("595959"))
    .add_style(small("Footer", "footer", XIAO_WU))
}

/// Latin text in `latin`, Chinese in `east_asia`; on a Chinese page, characters used by both
/// (quotes, dashes, ellipses) in the Chinese font.
fn fonts(latin: &str, east_asia: &str, zh: bool) -> RunFonts {
    let f = RunFonts::new()
        .ascii(latin)
        .hi_ansi(latin)
        .cs(latin)
        .east_asia(east_asia);
    if zh { f.hint("eastAsia") } else { f }
}

/// Paragraph spacing: `before` and `after` in twips, `line` in 240ths of a line.
fn spacing(before: u32, after: u32, line: i32) -> LineSpacing {
    LineSpacing::new()
        .before(before)
        .after(after)
        .line(line)
        .line_rule(LineSpacingType::Auto)
}

/// A list's one level: `1.` with a hanging indent, or a bullet.
fn list_numbering(id: usize, ordered: bool) -> AbstractNumbering {
    let (format, text) = if ordered {
        ("decimal", "%1.")
    } else {
        ("bullet", "•")
    };
    AbstractNumbering::new(id).add_level(
        Level::new(
            0,
            Start::new(1),
            NumberFormat::new(format),
            LevelText::new(text),
            LevelJc::new("left"),
        )
        .indent(Some(425), Some(SpecialIndentType::Hanging(425)), None, None),
    )
}

fn twips(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

fn fill(color: &str) -> Shading {
    Shading::new().fill(color).color("auto")
}

/// All six borders of a table alike (`size` in eighths of a point).
fn borders(kind: BorderType, size: usize, color: &str) -> TableBorders {
    [
        TableBorderPosition::Top,
        TableBorderPosition::Left,
        TableBorderPosition::Bottom,
        TableBorderPosition::Right,
        TableBorderPosition::InsideH,
        TableBorderPosition::InsideV,
    ]
    .into_iter()
    .fold(TableBorders::with_empty(), |b, pos| {
        b.set(
            TableBorder::new(pos)
                .border_type(kind)
                .size(size)
                .color(color),
        )
    })
}

/// A full-width, fixed-layout table with thin black borders.
fn grid_table(rows: Vec<TableRow>, grid: Vec<usize>) -> WTable {
    WTable::new(rows)
        .set_grid(grid)
        .width(TEXT_W, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .margins(TableCellMargins::new().margin(40, 100, 40, 100))
        .set_borders(borders(BorderType::Single, 4, "000000"))
}

/// Column widths in twips that fill the text block: in proportion to `relative` when it has
/// one positive number per column, else equal. The last column takes the rounding.
fn column_widths(relative: &[u16], columns: usize) -> Vec<usize> {
    if columns == 0 {
        return Vec::new();
    }
    let use_relative = relative.len() == columns && relative.iter().any(|w| *w > 0);
    let weights: Vec<usize> = if use_relative {
        relative.iter().map(|w| usize::from(*w)).collect()
    } else {
        vec![1; columns]
    };
    let total: usize = weights.iter().sum();
    let mut grid: Vec<usize> = weights.iter().map(|w| TEXT_W * w / total).collect();
    let used: usize = grid[..columns - 1].iter().sum();
    grid[columns - 1] = TEXT_W - used;
    grid
}

/// A run with a text's emphasis: bold when strong, bold and coloured when toned, fixed-width
/// when mono.
fn styled_run(text: &Text) -> Run {
    let mut run = text_run(&text.text);
    if text.strong || text.tone != Tone::Plain {
        run = run.bold();
    }
    if let Some(color) = tone_color(text.tone) {
        run = run.color(color);
    }
    if text.mono {
        run = run.fonts(RunFonts::new().ascii("Courier New").hi_ansi("Courier New"));
    }
    run
}

/// Dark shades that stay readable when printed in grey.
fn tone_color(tone: Tone) -> Option<&'static str> {
    match tone {
        Tone::Plain => None,
        Tone::Good => Some("1E6B30"),
        Tone::Warn => Some("9C5700"),
        Tone::Bad => Some("B00020"),
    }
}

fn tone_fill(tone: Tone) -> &'static str {
    match tone {
        Tone::Plain => "F2F2F2",
        Tone::Good => "E6F2E8",
        Tone::Warn => "FFF4DC",
        Tone::Bad => "FBE6E8",
    }
}

/// Plain text as one run: lines joined by line breaks, tabs as tabs, and every character
/// XML 1.0 forbids written as a visible `\u{…}` escape.
fn text_run(text: &str) -> Run {
    let text = xml_safe(text);
    let mut run = Run::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        for (j, piece) in line.split('\t').enumerate() {
            if j > 0 {
                run = run.add_tab();
            }
            if !piece.is_empty() {
                run = run.add_text(piece);
            }
        }
    }
    run
}

/// `s` with CR LF and lone CR as LF, and every character XML 1.0 forbids (C0 controls but
/// tab and newline, U+FFFE, U+FFFF; XML 1.0 §2.2 `Char`) and every C1 control as `\u{…}`.
fn xml_safe(s: &str) -> std::borrow::Cow<'_, str> {
    let bad =
        |c: char| (c.is_control() && c != '\n' && c != '\t') || c == '\u{fffe}' || c == '\u{ffff}';
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() != Some(&'\n') {
                out.push('\n');
            }
        } else if bad(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `w:tblHeader` on every header row (docx-rs has no call for it). Header rows, and only
/// they, carry the [`HEADER_ROW_H`] height; text never holds a raw `<`, so the marker cannot
/// come from a page's strings.
fn mark_header_rows(document: &[u8]) -> Vec<u8> {
    let marker = format!(r#"<w:trHeight w:val="{HEADER_ROW_H}" w:hRule="atLeast" />"#);
    let xml = String::from_utf8_lossy(document);
    xml.replace(&marker, &format!("{marker}<w:tblHeader />"))
        .into_bytes()
}

/// Two things docx-rs's styles part lacks: the document language in the default run
/// properties (spelling and line breaking follow it) and `Normal` marked as the default
/// paragraph style (so readers give unstyled paragraphs that name).
fn patch_styles(styles: &[u8], zh: bool) -> Vec<u8> {
    let lang = if zh {
        r#"<w:lang w:val="zh-CN" w:eastAsia="zh-CN" w:bidi="ar-SA" />"#
    } else {
        r#"<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA" />"#
    };
    String::from_utf8_lossy(styles)
        .replacen(
            "</w:rPr></w:rPrDefault>",
            &format!("{lang}</w:rPr></w:rPrDefault>"),
            1,
        )
        .replacen(
            r#"<w:style w:type="paragraph" w:styleId="Normal">"#,
            r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal">"#,
            1,
        )
        .into_bytes()
}

/// `docProps/core.xml`: title, language, and the page's time as created and modified (left out
/// when the page has none, or it is not RFC 3339).
fn core_properties(page: &Page) -> String {
    let when = page
        .generated_at
        .as_deref()
        .and_then(|t| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
        })
        .map(|t| {
            let t = t.to_offset(time::UtcOffset::UTC);
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        });
    let mut xml = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        "\n",
        r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" "#,
        r#"xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" "#,
        r#"xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
    ));
    xml.push_str(&format!(
        "<dc:title>{}</dc:title><dc:creator>escrow</dc:creator><dc:language>{}</dc:language>",
        escape(&page.title),
        escape(page.lang)
    ));
    if let Some(when) = when {
        xml.push_str(&format!(
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>"#
        ));
    }
    xml.push_str("</cp:coreProperties>");
    xml
}

/// Text for an XML element: markup characters as entities, forbidden characters escaped.
fn escape(s: &str) -> String {
    let s = xml_safe(s).replace('\n', " ");
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Lang;
    use crate::report::page::{BarRow, Mark};
    use std::io::Read;

    const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    /// A page with one of every block, in Chinese.
    fn sample(lang: Lang) -> Page {
        let mut page = Page::new(lang, "源代码托管验收报告");
        page.subtitle = Some("朝阳医院 HIS 项目".into());
        page.running_head = "验收报告 · 合同 CY-2026-001".into();
        page.footer = "escrow 0.1 生成于 2026-03-10 17:00（北京时间）".into();
        page.generated_at = Some("2026-03-10T09:00:00Z".into());
        page.heading(1, "一、验收结论");
        page.push(Block::Verdict {
            headline: "不通过".into(),
            detail: "4 项验收标准中 1 项未满足。".into(),
            tone: Tone::Bad,
        });
        page.push(Block::Paragraph(Text::toned(
            "有 2 个问题需要处理。",
            Tone::Warn,
        )));
        page.push(Block::Fields(vec![
            Field::new("合同编号", "CY-2026-001"),
            Field::new("验收人", ""),
        ]));
        page.push(Block::Heading {
            level: 1,
            text: "二、检查明细".into(),
            new_page: true,
        });
        page.heading(2, "（一）验收标准");
        page.push(Block::Table(Table {
            caption: Some("表 1 验收标准".into()),
            header: vec!["标准".into(), "结果".into()],
            widths: vec![3, 1],
            rows: vec![
                vec!["① 源代码完整性".into(), Text::toned("通过", Tone::Good)],
                vec!["② 可构建".into(), Text::toned("未通过", Tone::Bad)],
            ],
            note: Some("另有 3 项见附件。".into()),
        }));
        page.heading(3, "1. 清单");
        page.push(Block::List {
            ordered: true,
            items: vec!["补交构建脚本".into(), "说明加密文件".into()],
        });
        page.push(Block::List {
            ordered: false,
            items: vec!["第一点".into()],
        });
        page.push(Block::Chart(Chart::Bars {
            title: "按标准统计".into(),
            legend: vec![("满足".into(), Tone::Good), ("不满足".into(), Tone::Bad)],
            rows: vec![BarRow {
                label: "① 完整性".into(),
                values: vec![12, 1],
            }],
        }));
        page.push(Block::Chart(Chart::Timeline {
            title: "时间线".into(),
            marks: vec![
                Mark {
                    date: "2026-01-05".into(),
                    label: "上线".into(),
                    kind: MarkKind::Trigger,
                    tone: Tone::Plain,
                },
                Mark {
                    date: "2026-04-05".into(),
                    label: "首次托管期限".into(),
                    kind: MarkKind::Due,
                    tone: Tone::Warn,
                },
            ],
            today: Some("2026-03-10".into()),
        }));
        page.push(Block::Code(
            "escrow check ./delivery\n  --manifest m.toml".into(),
        ));
        page.push(Block::Signatures(vec![
            Signatory {
                role: "甲方（验收方）".into(),
                name: Some("朝阳医院".into()),
                lines: vec!["签字：".into(), "日期：".into()],
            },
            Signatory {
                role: "乙方（开发方）".into(),
                name: None,
                lines: vec!["签字：".into()],
            },
        ]));
        page
    }

    fn part(docx: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(docx)).unwrap();
        let mut out = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
        out
    }

    fn w<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> Option<roxmltree::Node<'a, 'a>>
    where
        'a: 'a,
    {
        node.children().find(|c| c.has_tag_name((W, name)))
    }

    fn attr<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
        node.attribute((W, name))
    }

    /// The text of a paragraph or cell: `w:t` text, `\n` for breaks, `\t` for tabs.
    fn text_of(node: roxmltree::Node) -> String {
        let mut s = String::new();
        for d in node.descendants() {
            if d.has_tag_name((W, "t")) {
                s.push_str(d.text().unwrap_or(""));
            } else if d.has_tag_name((W, "br")) {
                s.push('\n');
            } else if d.has_tag_name((W, "tab"))
                && d.parent().is_some_and(|p| p.has_tag_name((W, "r")))
            {
                s.push('\t');
            }
        }
        s
    }

    /// The body's top-level paragraphs as (style, text, page break before).
    fn paragraphs(xml: &str) -> Vec<(String, String, bool)> {
        let doc = roxmltree::Document::parse(xml).unwrap();
        let body = w(doc.root_element(), "body").unwrap();
        body.children()
            .filter(|n| n.has_tag_name((W, "p")))
            .map(|p| {
                let ppr = w(p, "pPr");
                let style = ppr
                    .and_then(|x| w(x, "pStyle"))
                    .and_then(|s| attr(s, "val"))
                    .unwrap_or("")
                    .to_owned();
                let brk = ppr
                    .and_then(|x| w(x, "pageBreakBefore"))
                    .is_some_and(|b| attr(b, "val") != Some("false"));
                (style, text_of(p), brk)
            })
            .collect()
    }

    /// The body's tables as matrices of cell text.
    fn tables(xml: &str) -> Vec<Vec<Vec<String>>> {
        let doc = roxmltree::Document::parse(xml).unwrap();
        let body = w(doc.root_element(), "body").unwrap();
        body.children()
            .filter(|n| n.has_tag_name((W, "tbl")))
            .map(|t| {
                t.children()
                    .filter(|r| r.has_tag_name((W, "tr")))
                    .map(|r| {
                        r.children()
                            .filter(|c| c.has_tag_name((W, "tc")))
                            .map(text_of)
                            .collect()
                    })
                    .collect()
            })
            .collect()
    }

    fn render_ok(page: &Page) -> Vec<u8> {
        let bytes = render(page).unwrap();
        assert_eq!(&bytes[..2], b"PK", "a zip package");
        bytes
    }

    #[test]
    fn headings_use_named_styles_and_new_pages_break() {
        let doc = part(&render_ok(&sample(Lang::Zh)), "word/document.xml");
        let paras = paragraphs(&doc);
        let by_style = |style: &str| {
            paras
                .iter()
                .filter(|p| p.0 == style)
                .map(|p| (p.1.as_str(), p.2))
                .collect::<Vec<_>>()
        };
        assert_eq!(by_style("Title"), [("源代码托管验收报告", false)]);
        assert_eq!(by_style("Subtitle"), [("朝阳医院 HIS 项目", false)]);
        assert_eq!(
            by_style("Heading1"),
            [("一、验收结论", false), ("二、检查明细", true)]
        );
        assert_eq!(by_style("Heading2"), [("（一）验收标准", false)]);
        assert_eq!(by_style("Heading3"), [("1. 清单", false)]);
        assert_eq!(by_style("Caption").len(), 3, "{paras:?}");
        let styles = part(&render_ok(&sample(Lang::Zh)), "word/styles.xml");
        let sdoc = roxmltree::Document::parse(&styles).unwrap();
        let name = |id: &str| {
            sdoc.descendants()
                .find(|s| s.has_tag_name((W, "style")) && attr(*s, "styleId") == Some(id))
                .and_then(|s| w(s, "name"))
                .and_then(|n| attr(n, "val"))
                .map(str::to_owned)
        };
        assert_eq!(name("Title").as_deref(), Some("Title"));
        assert_eq!(name("Heading1").as_deref(), Some("heading 1"));
        assert_eq!(name("Heading2").as_deref(), Some("heading 2"));
        assert_eq!(name("Heading3").as_deref(), Some("heading 3"));
    }

    #[test]
    fn every_block_becomes_text_or_a_table() {
        let doc = part(&render_ok(&sample(Lang::Zh)), "word/document.xml");
        let tables = tables(&doc);
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            tables.len(),
            6,
            "verdict, fields, table, two charts, signatures"
        );
        assert_eq!(tables[0], [s(&["不通过4 项验收标准中 1 项未满足。"])]);
        assert_eq!(
            tables[1],
            [s(&["合同编号", "CY-2026-001"]), s(&["验收人", ""])]
        );
        assert_eq!(
            tables[2],
            [
                s(&["标准", "结果"]),
                s(&["① 源代码完整性", "通过"]),
                s(&["② 可构建", "未通过"])
            ]
        );
        assert_eq!(
            tables[3],
            [s(&["项目", "满足", "不满足"]), s(&["① 完整性", "12", "1"])]
        );
        assert_eq!(
            tables[4],
            [
                s(&["日期", "类型", "事项"]),
                s(&["2026-01-05", "起算", "上线"]),
                s(&["2026-03-10", "—", "今天"]),
                s(&["2026-04-05", "期限", "首次托管期限"]),
            ]
        );
        assert_eq!(
            tables[5],
            [
                s(&["甲方（验收方）", "乙方（开发方）"]),
                s(&["朝阳医院", ""]),
                s(&["签字：", "签字："]),
                s(&["日期：", ""]),
            ]
        );
        let paras = paragraphs(&doc);
        let texts: Vec<&str> = paras.iter().map(|p| p.1.as_str()).collect();
        for expected in [
            "有 2 个问题需要处理。",
            "另有 3 项见附件。",
            "补交构建脚本",
            "第一点",
            "escrow check ./delivery\n  --manifest m.toml",
            "escrow 0.1 生成于 2026-03-10 17:00（北京时间）",
        ] {
            assert!(texts.contains(&expected), "{expected} in {texts:?}");
        }
    }

    #[test]
    fn header_rows_repeat_and_rows_do_not_split() {
        let doc = part(&render_ok(&sample(Lang::Zh)), "word/document.xml");
        let xml = roxmltree::Document::parse(&doc).unwrap();
        let rows: Vec<_> = xml
            .descendants()
            .filter(|n| n.has_tag_name((W, "tr")))
            .collect();
        let header_rows: Vec<String> = rows
            .iter()
            .filter(|r| w(**r, "trPr").and_then(|p| w(p, "tblHeader")).is_some())
            .map(|r| text_of(*r))
            .collect();
        assert_eq!(header_rows, ["标准结果", "项目满足不满足", "日期类型事项"]);
        assert!(
            rows.iter()
                .all(|r| w(*r, "trPr").and_then(|p| w(p, "cantSplit")).is_some())
        );
    }

    #[test]
    fn lists_are_numbered_and_each_starts_at_one() {
        let bytes = render_ok(&sample(Lang::Zh));
        let doc = part(&bytes, "word/document.xml");
        let xml = roxmltree::Document::parse(&doc).unwrap();
        let num_of = |text: &str| {
            xml.descendants()
                .find(|p| p.has_tag_name((W, "p")) && text_of(*p) == text)
                .and_then(|p| p.descendants().find(|n| n.has_tag_name((W, "numId"))))
                .and_then(|n| attr(n, "val"))
                .map(str::to_owned)
        };
        assert_eq!(num_of("补交构建脚本"), num_of("说明加密文件"));
        assert_ne!(num_of("补交构建脚本"), num_of("第一点"));
        let numbering = part(&bytes, "word/numbering.xml");
        let ordered = num_of("补交构建脚本").unwrap();
        let nx = roxmltree::Document::parse(&numbering).unwrap();
        let num = nx
            .descendants()
            .find(|n| n.has_tag_name((W, "num")) && attr(*n, "numId") == Some(&ordered))
            .unwrap();
        let start = num
            .descendants()
            .find(|n| n.has_tag_name((W, "startOverride")))
            .and_then(|n| attr(n, "val"));
        assert_eq!(start, Some("1"));
        let abs = num
            .descendants()
            .find(|n| n.has_tag_name((W, "abstractNumId")))
            .and_then(|n| attr(n, "val"))
            .unwrap();
        let fmt = nx
            .descendants()
            .find(|n| n.has_tag_name((W, "abstractNum")) && attr(*n, "abstractNumId") == Some(abs))
            .and_then(|a| a.descendants().find(|n| n.has_tag_name((W, "numFmt"))))
            .and_then(|n| attr(n, "val"));
        assert_eq!(fmt, Some("decimal"));
    }

    #[test]
    fn header_and_footer_carry_the_running_head_and_page_fields() {
        for (lang, footer) in [(Lang::Zh, "第 1 页，共 1 页"), (Lang::En, "Page 1 of 1")] {
            let bytes = render_ok(&sample(lang));
            let names: Vec<String> = zip::ZipArchive::new(Cursor::new(&bytes))
                .unwrap()
                .file_names()
                .map(str::to_owned)
                .collect();
            let header = names.iter().find(|n| n.starts_with("word/header")).unwrap();
            let footer_part = names.iter().find(|n| n.starts_with("word/footer")).unwrap();
            let h = part(&bytes, header);
            let hx = roxmltree::Document::parse(&h).unwrap();
            assert_eq!(text_of(hx.root_element()), "验收报告 · 合同 CY-2026-001");
            let f = part(&bytes, footer_part);
            let fx = roxmltree::Document::parse(&f).unwrap();
            assert_eq!(text_of(fx.root_element()), footer);
            let instr: Vec<&str> = fx
                .descendants()
                .filter(|n| n.has_tag_name((W, "instrText")))
                .filter_map(|n| n.text())
                .map(str::trim)
                .collect();
            assert_eq!(instr, ["PAGE", "NUMPAGES"]);
        }
    }

    #[test]
    fn a4_with_official_margins_and_chinese_fonts() {
        let bytes = render_ok(&sample(Lang::Zh));
        let doc = part(&bytes, "word/document.xml");
        let xml = roxmltree::Document::parse(&doc).unwrap();
        let sect = xml
            .descendants()
            .find(|n| n.has_tag_name((W, "sectPr")))
            .unwrap();
        let size = w(sect, "pgSz").unwrap();
        assert_eq!(
            (attr(size, "w"), attr(size, "h")),
            (Some("11906"), Some("16838"))
        );
        let mar = w(sect, "pgMar").unwrap();
        let twips = |k: &str| attr(mar, k).unwrap().parse::<u32>().unwrap();
        // GB/T 9704: 37 / 35 / 28 / 26 mm, within a twip of rounding.
        assert_eq!(
            [twips("top"), twips("bottom"), twips("left"), twips("right")],
            [2098, 1984, 1587, 1474]
        );
        let styles = part(&bytes, "word/styles.xml");
        let sx = roxmltree::Document::parse(&styles).unwrap();
        let defaults = sx
            .descendants()
            .find(|n| n.has_tag_name((W, "rPrDefault")))
            .unwrap();
        let fonts = defaults
            .descendants()
            .find(|n| n.has_tag_name((W, "rFonts")))
            .unwrap();
        assert_eq!(attr(fonts, "eastAsia"), Some("SimSun"));
        assert_eq!(attr(fonts, "ascii"), Some("Times New Roman"));
        assert_eq!(attr(fonts, "hint"), Some("eastAsia"));
        let lang = defaults
            .descendants()
            .find(|n| n.has_tag_name((W, "lang")))
            .unwrap();
        assert_eq!(attr(lang, "val"), Some("zh-CN"));
        let default = sx
            .descendants()
            .find(|s| s.has_tag_name((W, "style")) && attr(*s, "default") == Some("1"))
            .and_then(|s| attr(s, "styleId"));
        assert_eq!(default, Some("Normal"));
        let h1 = sx
            .descendants()
            .find(|s| s.has_tag_name((W, "style")) && attr(*s, "styleId") == Some("Heading1"))
            .unwrap();
        let h1_font = h1
            .descendants()
            .find(|n| n.has_tag_name((W, "rFonts")))
            .unwrap();
        assert_eq!(attr(h1_font, "eastAsia"), Some("SimHei"));
        let en = part(&render_ok(&sample(Lang::En)), "word/styles.xml");
        assert!(en.contains(r#"<w:lang w:val="en-US""#), "{en}");
        assert!(!en.contains(r#"w:hint="eastAsia""#));
    }

    #[test]
    fn signatures_have_no_borders_and_tables_do() {
        let doc = part(&render_ok(&sample(Lang::Zh)), "word/document.xml");
        let xml = roxmltree::Document::parse(&doc).unwrap();
        let borders: Vec<Vec<String>> = xml
            .descendants()
            .filter(|n| n.has_tag_name((W, "tblBorders")))
            .map(|b| {
                b.children()
                    .filter(roxmltree::Node::is_element)
                    .map(|e| attr(e, "val").unwrap_or("").to_owned())
                    .collect()
            })
            .collect();
        assert_eq!(borders.len(), 6);
        assert!(
            borders[5].len() == 6 && borders[5].iter().all(|v| v == "nil"),
            "{borders:?}"
        );
        assert!(
            borders[..5]
                .iter()
                .all(|b| b.len() == 6 && b.iter().all(|v| v == "single"))
        );
    }

    #[test]
    fn hostile_text_stays_text_and_the_xml_stays_well_formed() {
        let long = "长".repeat(4000);
        let hostile =
            format!("<script>alert(1)</script> & \u{1}\u{b}\u{202e}gpj.exe\u{fffe} {long}");
        let mut page = Page::new(Lang::En, hostile.clone());
        page.running_head = hostile.clone();
        page.para(hostile.clone());
        page.push(Block::Table(Table {
            header: vec![hostile.clone()],
            rows: vec![vec![Text::mono(hostile.clone())]],
            ..Table::default()
        }));
        page.push(Block::Code("a\r\nb\rc\td".into()));
        let bytes = render_ok(&page);
        let shown = format!(
            "<script>alert(1)</script> & \\u{{1}}\\u{{b}}\u{202e}gpj.exe\\u{{fffe}} {long}"
        );
        let doc = part(&bytes, "word/document.xml");
        let paras = paragraphs(&doc);
        assert_eq!(paras[0].1, shown);
        assert_eq!(paras[1].1, shown);
        assert_eq!(tables(&doc)[0], [vec![shown.clone()], vec![shown.clone()]]);
        assert!(paras.iter().any(|p| p.1 == "a\nb\nc\td"), "{paras:?}");
        assert!(!doc.contains("<script>"));
        for name in zip::ZipArchive::new(Cursor::new(&bytes))
            .unwrap()
            .file_names()
            .filter(|n| !n.ends_with('/'))
            .map(str::to_owned)
            .collect::<Vec<_>>()
        {
            let xml = part(&bytes, &name);
            roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let core = part(&bytes, "docProps/core.xml");
        let cx = roxmltree::Document::parse(&core).unwrap();
        let title = cx
            .descendants()
            .find(|n| n.has_tag_name(("http://purl.org/dc/elements/1.1/", "title")))
            .and_then(|n| n.text());
        assert_eq!(title, Some(shown.as_str()));
    }

    #[test]
    fn core_properties_take_the_page_time_title_and_language() {
        let bytes = render_ok(&sample(Lang::Zh));
        let core = part(&bytes, "docProps/core.xml");
        let cx = roxmltree::Document::parse(&core).unwrap();
        let get = |ns: &str, name: &str| {
            cx.descendants()
                .find(|n| n.has_tag_name((ns, name)))
                .and_then(|n| n.text())
                .map(str::to_owned)
        };
        let dc = "http://purl.org/dc/elements/1.1/";
        let terms = "http://purl.org/dc/terms/";
        assert_eq!(get(dc, "title").as_deref(), Some("源代码托管验收报告"));
        assert_eq!(get(dc, "language").as_deref(), Some("zh-CN"));
        assert_eq!(
            get(terms, "created").as_deref(),
            Some("2026-03-10T09:00:00Z")
        );
        assert_eq!(
            get(terms, "modified").as_deref(),
            Some("2026-03-10T09:00:00Z")
        );
        let mut page = sample(Lang::Zh);
        page.generated_at = Some("2026-03-10T17:00:00.5+08:00".into());
        let core = part(&render_ok(&page), "docProps/core.xml");
        assert!(
            core.contains(">2026-03-10T09:00:00Z</dcterms:created>"),
            "{core}"
        );
        page.generated_at = None;
        let core = part(&render_ok(&page), "docProps/core.xml");
        assert!(!core.contains("dcterms:created"), "{core}");
    }

    #[test]
    fn same_page_same_bytes_on_any_thread() {
        let page = sample(Lang::Zh);
        let first = render_ok(&page);
        assert_eq!(render_ok(&page), first);
        let other = std::thread::spawn(move || render(&page).unwrap())
            .join()
            .unwrap();
        assert_eq!(other, first);
    }

    #[test]
    fn the_word_reader_opens_it() {
        let bytes = render_ok(&sample(Lang::Zh));
        let docx = docx_rs::read_docx(&bytes).unwrap();
        let json = docx.json();
        assert!(json.contains("一、验收结论"));
        assert!(json.contains("首次托管期限"));
    }

    #[test]
    fn widths_fill_the_text_block_in_proportion() {
        assert_eq!(column_widths(&[3, 1], 2), [6633, 2212]);
        assert_eq!(column_widths(&[], 3).iter().sum::<usize>(), TEXT_W);
        assert_eq!(column_widths(&[1, 2], 3), column_widths(&[], 3));
        assert_eq!(column_widths(&[0, 0], 2), column_widths(&[], 2));
        assert!(column_widths(&[], 0).is_empty());
    }

    #[test]
    fn odd_shapes_still_make_a_valid_document() {
        let mut page = Page::new(Lang::En, "");
        page.push(Block::Table(Table::default()));
        page.push(Block::Table(Table {
            header: vec!["a".into()],
            rows: vec![vec!["1".into(), "2".into()], vec![]],
            ..Table::default()
        }));
        page.push(Block::List {
            ordered: true,
            items: vec![],
        });
        page.push(Block::Fields(vec![]));
        page.push(Block::Signatures(vec![]));
        page.push(Block::Chart(Chart::Bars {
            title: "none".into(),
            legend: vec![],
            rows: vec![],
        }));
        let doc = part(&render_ok(&page), "word/document.xml");
        let tables = tables(&doc);
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        assert_eq!(tables.len(), 2);
        assert_eq!(tables[0], [s(&["a", ""]), s(&["1", "2"]), s(&["", ""])]);
        assert_eq!(tables[1], [s(&["Item"])]);
    }

    #[test]
    fn five_thousand_rows_render() {
        let mut page = Page::new(Lang::Zh, "大表");
        page.push(Block::Table(Table {
            header: vec!["路径".into(), "大小".into(), "SHA-256".into()],
            widths: vec![5, 1, 4],
            rows: (0..5000)
                .map(|i| {
                    vec![
                        Text::mono(format!("src/main/java/com/his/m{i}.java")),
                        Text::plain(format!("{i}")),
                        Text::mono(format!("{i:064x}")),
                    ]
                })
                .collect(),
            ..Table::default()
        }));
        let doc = part(&render_ok(&page), "word/document.xml");
        assert_eq!(tables(&doc)[0].len(), 5001);
    }
}
