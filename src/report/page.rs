//! The printable page: what a document says, in the order a reader meets it, independent of
//! the file format. Each document builds one [`Page`] per language ([`super::Document::page`]);
//! the HTML, Markdown and Word renderers (`super::render`) draw any page, so a document's
//! content is written once and every format shows the same sections, tables and charts.
//!
//! Every string in a page is plain text, not markup: the renderers escape it for their format.
//! Pages are built from the terminal-safe copy of a document ([`super::terminal_safe`]), so
//! control characters and bidirectional overrides from a delivery arrive already visible as
//! `\u{…}` escapes.

use serde::Serialize;

/// How a value or a row reads: good news, bad news, something to look at, or neutral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tone {
    /// Nothing to say.
    #[default]
    Plain,
    /// Met, passed, in time.
    Good,
    /// Something a person should look at.
    Warn,
    /// Unmet, failed, overdue.
    Bad,
}

/// What the page is, for the file's title and the Word header: a check report, an
/// acceptance report, a letter, a receipt…
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Page {
    /// The document's title (first heading, HTML `<title>`, Word title).
    pub title: String,
    /// A line under the title (the project, the vault), if any.
    pub subtitle: Option<String>,
    /// Running header text for printed pages (Word header; HTML print header is the title).
    pub running_head: String,
    /// The language the page is written in: `zh` or `en` (HTML `lang`, Word proofing).
    pub lang: &'static str,
    /// The content, in reading order.
    pub blocks: Vec<Block>,
    /// The small print at the end: which escrow wrote it and when (China Standard Time).
    pub footer: String,
    /// When the document was made, RFC 3339 UTC (Word's core properties), if known.
    pub generated_at: Option<String>,
}

/// One piece of a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "block", content = "of")]
pub enum Block {
    /// A section heading; level 1 is a chapter (一、二、…), 2 a section, 3 a subsection.
    /// `new_page`: a printed report starts it on a new page.
    Heading {
        /// 1, 2 or 3.
        level: u8,
        /// The heading text.
        text: String,
        /// Start a new printed page here.
        new_page: bool,
    },
    /// A paragraph of text.
    Paragraph(Text),
    /// A box that states the outcome (the verdict), with its tone.
    Verdict {
        /// The headline (`不通过 / FAIL`, `已托管`).
        headline: String,
        /// One or two sentences under it.
        detail: String,
        /// Its tone.
        tone: Tone,
    },
    /// Label–value pairs (a form: the contract header, a delivery's identity), two columns.
    Fields(Vec<Field>),
    /// A table with a header row.
    Table(Table),
    /// A list of items; numbered when `ordered`.
    List {
        /// Numbered (1. 2. 3.) or bulleted.
        ordered: bool,
        /// The items.
        items: Vec<Text>,
    },
    /// A chart; HTML draws it as inline SVG, Markdown and Word as a small table.
    Chart(Chart),
    /// The signature block (签字栏), left blank for signing: one column per party.
    Signatures(Vec<Signatory>),
    /// Text shown as it is, in a fixed-width font (a command line, a log excerpt).
    Code(String),
}

/// A run of text, possibly with a tone and an emphasis.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Text {
    /// The text.
    pub text: String,
    /// Its tone (colour in HTML, bold in Word).
    pub tone: Tone,
    /// Bold.
    pub strong: bool,
    /// Identifiers, digests, paths: a fixed-width font, broken anywhere when too long.
    pub mono: bool,
}

impl Text {
    /// Plain text.
    pub fn plain(text: impl Into<String>) -> Text {
        Text {
            text: text.into(),
            ..Text::default()
        }
    }

    /// Text in a tone.
    pub fn toned(text: impl Into<String>, tone: Tone) -> Text {
        Text {
            text: text.into(),
            tone,
            ..Text::default()
        }
    }

    /// Bold text.
    pub fn strong(text: impl Into<String>) -> Text {
        Text {
            text: text.into(),
            strong: true,
            ..Text::default()
        }
    }

    /// A digest, id or path: fixed-width.
    pub fn mono(text: impl Into<String>) -> Text {
        Text {
            text: text.into(),
            mono: true,
            ..Text::default()
        }
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::plain(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::plain(s)
    }
}

/// One label and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// The label (`合同编号`).
    pub label: String,
    /// The value; empty means "left blank to fill in by hand".
    pub value: Text,
}

impl Field {
    /// A label with a plain value.
    pub fn new(label: impl Into<String>, value: impl Into<Text>) -> Field {
        Field {
            label: label.into(),
            value: value.into(),
        }
    }
}

/// A table: a caption, a header row, rows of cells.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Table {
    /// Shown above the table, if any.
    pub caption: Option<String>,
    /// The column headings.
    pub header: Vec<String>,
    /// Relative column widths (same length as `header`); empty means equal widths.
    pub widths: Vec<u16>,
    /// The rows; each has as many cells as the header.
    pub rows: Vec<Vec<Text>>,
    /// A line under the table (what was left out, where the rest is).
    pub note: Option<String>,
}

/// A chart. Every chart carries its numbers, so the Markdown and Word renderers can show
/// them as a table and the HTML renderer label every bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "chart")]
pub enum Chart {
    /// Horizontal bars, one per row, each split into coloured segments (met / unmet,
    /// added / resolved).
    Bars {
        /// The chart's title (also its accessible name).
        title: String,
        /// What each segment means, in segment order: (name, tone).
        legend: Vec<(String, Tone)>,
        /// One bar per row.
        rows: Vec<BarRow>,
    },
    /// A time line: dated marks on one axis (go-lives, deposits, due dates).
    Timeline {
        /// The chart's title.
        title: String,
        /// The marks, in date order.
        marks: Vec<Mark>,
        /// "Today" on the axis (`YYYY-MM-DD`), if it is to be shown.
        today: Option<String>,
    },
}

/// One bar of a [`Chart::Bars`]: its label and one value per legend entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BarRow {
    /// The bar's label (`① 源代码完整性`).
    pub label: String,
    /// One count per legend entry, in legend order.
    pub values: Vec<u64>,
}

/// What a timeline mark stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MarkKind {
    /// Something that starts a clock (go-live, payment, question).
    Trigger,
    /// A deposit (good: passed; bad: failed).
    Deposit,
    /// A due date.
    Due,
}

/// One dated mark on a timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mark {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// What happened or is due.
    pub label: String,
    /// Its kind (its shape on the line).
    pub kind: MarkKind,
    /// Its tone (its colour).
    pub tone: Tone,
}

/// One party of a signature block: its role and the lines left blank for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signatory {
    /// The party's role (`甲方（验收方）`).
    pub role: String,
    /// Its name, when known (the hospital, the vendor).
    pub name: Option<String>,
    /// The lines to fill in by hand (`签字：`, `盖章：`, `日期：`).
    pub lines: Vec<String>,
}

impl Page {
    /// An empty page in `lang` (`"zh"` or `"en"`) with a title.
    pub fn new(lang: super::Lang, title: impl Into<String>) -> Page {
        let title = title.into();
        Page {
            running_head: title.clone(),
            title,
            lang: match lang {
                super::Lang::En => "en",
                super::Lang::Zh => "zh-CN",
            },
            ..Page::default()
        }
    }

    /// Append a block.
    pub fn push(&mut self, block: Block) -> &mut Page {
        self.blocks.push(block);
        self
    }

    /// Append a heading.
    pub fn heading(&mut self, level: u8, text: impl Into<String>) -> &mut Page {
        self.push(Block::Heading {
            level,
            text: text.into(),
            new_page: false,
        })
    }

    /// Append a paragraph of plain text.
    pub fn para(&mut self, text: impl Into<String>) -> &mut Page {
        self.push(Block::Paragraph(Text::plain(text)))
    }
}

/// Chapter headings numbered 一、二、三、 (Chinese, as Chinese official documents number their
/// sections) or 1. 2. 3. (English), in the order they are added, so a chapter left out leaves
/// no gap.
#[derive(Debug, Clone)]
pub struct Chapters {
    lang: super::Lang,
    n: usize,
}

impl Chapters {
    /// No chapter yet.
    pub fn new(lang: super::Lang) -> Chapters {
        Chapters { lang, n: 0 }
    }

    /// The next chapter's numbered title, `text` being in the page's language.
    pub fn title(&mut self, text: &str) -> String {
        self.n += 1;
        match self.lang {
            super::Lang::En => format!("{}. {text}", self.n),
            super::Lang::Zh => format!("{}、{text}", numeral_zh(self.n)),
        }
    }

    /// Append the next chapter heading (level 1) to `page`, in English or Chinese.
    pub fn next(&mut self, page: &mut Page, en: &str, zh: &str) {
        let text = match self.lang {
            super::Lang::En => en,
            super::Lang::Zh => zh,
        };
        let title = self.title(text);
        page.heading(1, title);
    }
}

/// A chapter number in Chinese: 1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (digits past 99).
pub fn numeral_zh(n: usize) -> String {
    const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => DIGITS[n].to_owned(),
        10..=19 => format!("十{}", DIGITS[n % 10]),
        20..=99 => format!("{}十{}", DIGITS[n / 10], DIGITS[n % 10]),
        _ => n.to_string(),
    }
}
