//! Counting `CREATE TABLE` statements in SQL scripts of any common dialect (MySQL backticks,
//! SQL Server brackets, Oracle and PostgreSQL double quotes), skipping comments and string
//! literals, streaming so that multi-gigabyte dumps stay in bounded memory.
//!
//! A table counts when CREATE (and modifiers) TABLE is followed by its name, and CREATE is not part
//! of a privilege list (GRANT/REVOKE/DENY CREATE TABLE). Session tables do not count: CREATE
//! TEMPORARY/TEMP TABLE, SQL Server's #temp tables and @table variables; Oracle's CREATE GLOBAL
//! TEMPORARY TABLE, a permanent schema object, does. No ';' is needed between statements (T-SQL).
//!
//! Quoting follows the dialect: a backslash escapes only in MySQL strings (MySQL is recognised
//! by a backtick, a `/*!` executable comment, `ENGINE=` or DELIMITER) and PostgreSQL's `E'…'`;
//! '#' starts a comment anywhere in MySQL, elsewhere only at the start of a line; PostgreSQL's
//! `$tag$…$tag$`, Oracle's `q'[…]'` and SQL*Plus's REM/REMARK/PROMPT lines are understood.
//!
//! PostgreSQL dumps (pg_dump, pg_dumpall, plain format) are psql scripts: a line starting with a
//! backslash outside a string is a psql meta-command (`\connect`, `\restrict KEY`, `\set`, …)
//! and is dropped with its line; the data of `COPY … FROM stdin;` (and of psql's `\copy … from
//! stdin`) is not SQL but rows, up to the line `\.`, and is skipped whatever it holds.

use std::io::{self, Read};

use crate::delivery::names;
use crate::text;

/// How many table names are kept (all are counted): the documents' cross-check compares them
/// all; at most 128 characters each, so 100,000 hold at most some 50 MB.
const MAX_NAMES: usize = 100_000;

/// The longest table name kept, in characters as shown (longer ones end with '…').
const MAX_NAME_CHARS: usize = 128;

/// The longest word or quoted identifier kept, in bytes (longer ones are cut).
const MAX_TOKEN: usize = 4 * MAX_NAME_CHARS + 4;

/// What the scanner found in one or more scripts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SqlStats {
    pub tables: u64,
    /// The first table names (schema-qualified names joined with '.'), control characters
    /// escaped as `names::display` does, each at most `MAX_NAME_CHARS` characters.
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    Normal,
    /// Saw '-' : a second one starts a line comment.
    Dash,
    /// Saw '/' : a '*' starts a block comment.
    Slash,
    /// Just after "/*": a '!' makes it a MySQL executable comment.
    BlockStart,
    LineComment,
    BlockComment {
        star: bool,
    },
    /// A '…' string; `backslash`: a backslash escapes the next character (MySQL, `E'…'`).
    Str {
        backslash: bool,
        escaped: bool,
    },
    /// After Oracle's `q'`: the next character is the delimiter.
    QStart,
    /// Inside `q'[…]'`: ends at `close` followed by '\''.
    QStr {
        close: char,
        closing: bool,
    },
    /// A quoted identifier ("…", `…`, […]); a doubled closing character stands for itself.
    /// `backslash`: MySQL's "…", a string where a backslash escapes.
    Quoted {
        close: char,
        backslash: bool,
        escaped: bool,
        closing: bool,
    },
    /// After a '$' that starts a token: a PostgreSQL dollar-quote tag `$tag$` may follow.
    DollarTag,
    /// Just after `$$`, reading a possible Oracle inquiry directive (`$$PLSQL_UNIT`) into the
    /// tag; see [`TableScanner::directive`].
    DollarOpen,
    /// Inside `$tag$…$tag$`; `matched`: how much of the closing `$tag` was just seen.
    Dollar {
        matched: Option<usize>,
    },
    /// A psql meta-command (a line starting with a backslash), read into `meta` to its line end.
    Meta,
    /// The data rows of `COPY … FROM stdin`, up to the line `\.`; where in its line the scanner is.
    CopyData(CopyLine),
}

/// Where the scanner is in a line of COPY data: the line `\.` ends the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CopyLine {
    /// At the start of a line.
    Start,
    /// After a backslash that started the line.
    Backslash,
    /// After `\.` at the start of the line.
    Dot,
    /// After `\.` and a carriage return.
    DotCr,
    /// Anywhere else in a line.
    Other,
}

/// Where the scanner is in a `COPY … FROM stdin` statement, whose data rows follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CopyParse {
    Idle,
    /// After COPY at the start of a statement.
    Copy,
    /// After COPY … FROM.
    From,
    /// After COPY … FROM STDIN: a ';' ends the statement, and the data starts on the next line.
    Stdin,
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Punct(char),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Parse {
    Idle,
    /// After CREATE and optional modifiers; `temp`: a session's temporary table;
    /// `global`: the last modifier was GLOBAL (Oracle's GLOBAL TEMPORARY tables are schema
    /// objects, not temporary ones).
    Create {
        temp: bool,
        global: bool,
    },
    /// After CREATE … TABLE, before the name (IF NOT EXISTS may come).
    Table {
        temp: bool,
    },
    /// Inside the name; `dot` when the last token was '.'.
    Name {
        parts: Vec<String>,
        dot: bool,
        temp: bool,
    },
}

/// Modifiers between CREATE and TABLE, in any dialect.
const MODIFIERS: &[&str] = &[
    "OR",
    "REPLACE",
    "GLOBAL",
    "LOCAL",
    "UNLOGGED",
    "VOLATILE",
    "TRANSIENT",
    "EXTERNAL",
    "VIRTUAL",
    "MULTISET",
    "SET",
    "PRIVATE",
    "SHARDED",
    "DUPLICATED",
    "BLOCKCHAIN",
    "IMMUTABLE",
];

/// Words that cannot be an unquoted table name: after CREATE TABLE they mean no name follows.
const NOT_NAMES: &[&str] = &[
    "CREATE", "TABLE", "SELECT", "INSERT", "UPDATE", "DELETE", "DROP", "ALTER", "GRANT", "AS",
    "LIKE", "TO", "FROM", "ON", "WITH", "GO",
];

fn word_is(w: &str, kws: &[&str]) -> bool {
    kws.iter().any(|k| w.eq_ignore_ascii_case(k))
}

/// A streaming scanner: feed it text in pieces of any size. One scanner reads one script: what
/// it learns of the dialect (MySQL) holds for the rest of the script.
pub struct TableScanner {
    lex: Lex,
    word: String,
    /// The current word started a line (only blanks before it).
    word_at_line_start: bool,
    quoted: String,
    /// The tag of the dollar quote being read or inside.
    tag: Vec<char>,
    line_start: bool,
    /// MySQL seen: a backtick-quoted identifier, a `/*!` executable comment, `ENGINE=` or the
    /// client's DELIMITER command. Then a backslash escapes in strings and '#' starts a comment
    /// anywhere; dollar quotes do not exist (`DELIMITER $$` is common).
    mysql: bool,
    /// The last token was GRANT, REVOKE or DENY, or a ',' (of a privilege list).
    after_grant: bool,
    /// The last token was the word ENGINE.
    after_engine: bool,
    /// Oracle's conditional compilation seen ($IF, $ERROR).
    oracle_cc: bool,
    /// No token since the start of the script or the last ';'.
    stmt_start: bool,
    copy: CopyParse,
    /// A `COPY … FROM stdin;` ended: its data starts at the next line.
    copy_pending: bool,
    /// The psql meta-command being read (without its backslash), at most `MAX_TOKEN` bytes.
    meta: String,
    parse: Parse,
    pub stats: SqlStats,
}

impl Default for TableScanner {
    fn default() -> Self {
        Self::new()
    }
}

impl TableScanner {
    pub fn new() -> Self {
        TableScanner {
            lex: Lex::Normal,
            word: String::new(),
            word_at_line_start: false,
            quoted: String::new(),
            tag: Vec::new(),
            line_start: true,
            mysql: false,
            after_grant: false,
            after_engine: false,
            oracle_cc: false,
            stmt_start: true,
            copy: CopyParse::Idle,
            copy_pending: false,
            meta: String::new(),
            parse: Parse::Idle,
            stats: SqlStats::default(),
        }
    }

    /// Scan one piece of text.
    pub fn feed(&mut self, text: &str) {
        for c in text.chars() {
            self.char(c);
        }
    }

    /// End of input: flush the last token.
    pub fn finish(mut self) -> SqlStats {
        self.char('\n');
        self.end_word();
        self.token(Token::Punct(';'));
        self.stats
    }

    fn char(&mut self, c: char) {
        match self.lex {
            Lex::LineComment => {
                if c == '\n' {
                    self.lex = Lex::Normal;
                    self.line_start = true;
                }
            }
            Lex::BlockStart => {
                if c == '!' {
                    self.mysql = true;
                }
                self.lex = Lex::BlockComment { star: c == '*' };
            }
            Lex::BlockComment { star } => {
                self.lex = if star && c == '/' {
                    Lex::Normal
                } else {
                    Lex::BlockComment { star: c == '*' }
                };
            }
            Lex::Str { backslash, escaped } => {
                if escaped {
                    self.lex = Lex::Str {
                        backslash,
                        escaped: false,
                    };
                } else if backslash && c == '\\' {
                    self.lex = Lex::Str {
                        backslash,
                        escaped: true,
                    };
                } else if c == '\'' {
                    self.lex = Lex::Normal;
                }
            }
            Lex::QStart => self.q_start(c),
            Lex::QStr { close, closing } => {
                self.lex = if closing && c == '\'' {
                    Lex::Normal
                } else {
                    Lex::QStr {
                        close,
                        closing: c == close,
                    }
                };
            }
            Lex::Quoted {
                close,
                backslash,
                escaped,
                closing,
            } => self.in_quoted(c, close, backslash, escaped, closing),
            Lex::DollarTag => self.dollar_tag(c),
            Lex::DollarOpen => self.dollar_open(c),
            Lex::Dollar { matched } => {
                self.lex = match matched {
                    Some(n) if c == '$' && n == self.tag.len() => Lex::Normal,
                    _ if c == '$' => Lex::Dollar { matched: Some(0) },
                    Some(n) if self.tag.get(n) == Some(&c) => Lex::Dollar {
                        matched: Some(n + 1),
                    },
                    _ => Lex::Dollar { matched: None },
                };
            }
            Lex::Dash => {
                if c == '-' {
                    self.lex = Lex::LineComment;
                } else {
                    self.lex = Lex::Normal;
                    self.token(Token::Punct('-'));
                    self.normal(c);
                }
            }
            Lex::Slash => {
                if c == '*' {
                    self.lex = Lex::BlockStart;
                } else {
                    self.lex = Lex::Normal;
                    self.token(Token::Punct('/'));
                    self.normal(c);
                }
            }
            Lex::Meta => self.in_meta(c),
            Lex::CopyData(at) => self.in_copy_data(c, at),
            Lex::Normal => self.normal(c),
        }
        if c == '\n' && self.copy_pending && self.lex == Lex::Normal {
            self.copy_pending = false;
            self.lex = Lex::CopyData(CopyLine::Start);
        }
    }

    /// In a psql meta-command line: dropped, but `\copy … from stdin` is followed by data rows.
    fn in_meta(&mut self, c: char) {
        if c != '\n' {
            if self.meta.len() < MAX_TOKEN {
                self.meta.push(c);
            }
            return;
        }
        self.line_start = true;
        let meta = std::mem::take(&mut self.meta).to_ascii_lowercase();
        let mut words = meta.split_whitespace();
        let copy_in = words.next() == Some("copy")
            && words
                .skip_while(|w| *w != "from")
                .nth(1)
                .is_some_and(|w| w == "stdin");
        self.lex = if copy_in {
            Lex::CopyData(CopyLine::Start)
        } else {
            Lex::Normal
        };
    }

    /// In COPY data: only the line `\.` (psql's end of data) matters.
    fn in_copy_data(&mut self, c: char, at: CopyLine) {
        self.lex = match (at, c) {
            (CopyLine::Dot | CopyLine::DotCr, '\n') => {
                self.line_start = true;
                self.stmt_start = true;
                Lex::Normal
            }
            (_, '\n') => Lex::CopyData(CopyLine::Start),
            (CopyLine::Start, '\\') => Lex::CopyData(CopyLine::Backslash),
            (CopyLine::Backslash, '.') => Lex::CopyData(CopyLine::Dot),
            (CopyLine::Dot, '\r') => Lex::CopyData(CopyLine::DotCr),
            _ => Lex::CopyData(CopyLine::Other),
        };
    }

    /// After `q'` (Oracle's q-quote): the opening delimiter, or an ordinary string.
    fn q_start(&mut self, c: char) {
        self.lex = match c {
            '[' => Lex::QStr {
                close: ']',
                closing: false,
            },
            '{' => Lex::QStr {
                close: '}',
                closing: false,
            },
            '(' => Lex::QStr {
                close: ')',
                closing: false,
            },
            '<' => Lex::QStr {
                close: '>',
                closing: false,
            },
            c if !(c.is_whitespace() || c == '\'') => Lex::QStr {
                close: c,
                closing: false,
            },
            // Not a q-quote: an ordinary string that started at the quote.
            c => {
                self.lex = Lex::Str {
                    backslash: self.mysql,
                    escaped: false,
                };
                return self.char(c);
            }
        };
    }

    /// Inside a quoted identifier (`"…"`, `` `…` ``, `[…]`) closed by `close`.
    fn in_quoted(&mut self, c: char, close: char, backslash: bool, escaped: bool, closing: bool) {
        if closing && c != close {
            self.lex = Lex::Normal;
            let q = std::mem::take(&mut self.quoted);
            self.token(Token::Quoted(q));
            return self.normal(c);
        }
        let (keep, escaped, closing) = if closing || escaped {
            (true, false, false)
        } else if backslash && c == '\\' {
            (false, true, false)
        } else if c == close {
            (false, false, true)
        } else {
            (true, false, false)
        };
        if keep && self.quoted.len() < MAX_TOKEN {
            self.quoted.push(c);
        }
        self.lex = Lex::Quoted {
            close,
            backslash,
            escaped,
            closing,
        };
    }

    /// After a '$': a dollar quote's tag, or a word starting with '$'.
    fn dollar_tag(&mut self, c: char) {
        if c == '$' {
            self.lex = if self.tag.is_empty() {
                Lex::DollarOpen
            } else {
                Lex::Dollar { matched: None }
            };
        } else if (c.is_alphabetic() || c == '_' || (c.is_numeric() && !self.tag.is_empty()))
            && self.tag.len() < 64
        {
            self.tag.push(c);
        } else {
            // Not a dollar quote: a word starting with '$' ($1, $action).
            self.lex = Lex::Normal;
            self.word.push('$');
            self.word.extend(self.tag.drain(..));
            self.normal(c);
        }
    }

    /// After `$$`: a directive (`$$IF`), or the body of a `$$` quote.
    fn dollar_open(&mut self, c: char) {
        let ident = c.is_alphabetic() || c == '_' || (c.is_numeric() && !self.tag.is_empty());
        if ident && self.tag.len() < 64 {
            self.tag.push(c);
        } else if ident || !self.directive() {
            // The body of a $$ quote, which began with the characters read.
            self.tag.clear();
            self.lex = Lex::Dollar { matched: None };
            self.char(c);
        } else {
            self.lex = Lex::Normal;
            self.word.push_str("$$");
            self.word.extend(self.tag.drain(..));
            self.normal(c);
        }
    }

    fn normal(&mut self, c: char) {
        let was_line_start = self.line_start;
        if c == '\n' {
            self.line_start = true;
        } else if !(c == ' ' || c == '\t' || c == '\r') {
            self.line_start = false;
        }
        // A psql meta-command: a backslash at the start of a line, outside any string.
        if c == '\\' && was_line_start && self.word.is_empty() {
            self.meta.clear();
            self.lex = Lex::Meta;
            return;
        }
        if c == '$' && self.word.is_empty() && !self.mysql {
            self.word_at_line_start = was_line_start;
            self.tag.clear();
            self.lex = Lex::DollarTag;
            return;
        }
        // '#' starts a comment anywhere in MySQL, elsewhere only at the start of a line: in
        // T-SQL it starts a temporary table's name (#tmp).
        let hash_comment = c == '#' && (self.mysql || was_line_start);
        if c.is_alphanumeric() || c == '_' || c == '$' || c == '@' || (c == '#' && !hash_comment) {
            if self.word.is_empty() {
                self.word_at_line_start = was_line_start;
            }
            if self.word.len() < MAX_TOKEN {
                self.word.push(c);
            }
            return;
        }
        if c == '\'' {
            // A prefix glued to the quote: PostgreSQL's E'…' escapes with backslashes, Oracle's
            // q'[…]' and nq'[…]' choose their delimiters.
            let prefix = &self.word;
            if prefix.eq_ignore_ascii_case("E") {
                self.word.clear();
                self.lex = Lex::Str {
                    backslash: true,
                    escaped: false,
                };
                return;
            }
            if prefix.eq_ignore_ascii_case("Q") || prefix.eq_ignore_ascii_case("NQ") {
                self.word.clear();
                self.lex = Lex::QStart;
                return;
            }
        }
        if self.line_command(c) {
            return;
        }
        self.end_word();
        match c {
            '-' => self.lex = Lex::Dash,
            '/' => self.lex = Lex::Slash,
            '#' => self.lex = Lex::LineComment,
            '\'' => {
                self.lex = Lex::Str {
                    backslash: self.mysql,
                    escaped: false,
                }
            }
            '"' => self.lex = Self::quoted('"', self.mysql),
            '`' => {
                self.mysql = true;
                self.lex = Self::quoted('`', false);
            }
            '[' => self.lex = Self::quoted(']', false),
            c if c.is_whitespace() => {}
            c => self.token(Token::Punct(c)),
        }
    }

    fn quoted(close: char, backslash: bool) -> Lex {
        Lex::Quoted {
            close,
            backslash,
            escaped: false,
            closing: false,
        }
    }

    /// Whether `$$` and the word in `tag` are an Oracle inquiry directive rather than the start
    /// of a PostgreSQL dollar quote: a predefined one (`$$PLSQL_UNIT`, `$$PLSQL_LINE`, …), or any
    /// once the script has used conditional compilation (`$IF $$debug $THEN`).
    fn directive(&self) -> bool {
        let word: String = self.tag.iter().collect::<String>().to_ascii_uppercase();
        !word.is_empty()
            && (self.oracle_cc
                || word.starts_with("PLSQL_")
                || word == "NLS_LENGTH_SEMANTICS"
                || word == "PERMIT_92_WRAP_FORMAT")
    }

    /// A client command that takes the rest of its line, ended by `c`: SQL*Plus's REM, REMARK
    /// and PROMPT (text, where an apostrophe is no quote), and the MySQL client's DELIMITER.
    /// They are dropped with their line.
    fn line_command(&mut self, c: char) -> bool {
        if !self.word_at_line_start || !(c.is_whitespace()) {
            return false;
        }
        let w = self.word.as_str();
        let sqlplus = !self.mysql && word_is(w, &["REM", "REMARK", "PROMPT"]);
        let delimiter = w.eq_ignore_ascii_case("DELIMITER");
        if !(sqlplus || delimiter) {
            return false;
        }
        if delimiter {
            self.mysql = true;
        }
        self.word.clear();
        if c != '\n' {
            self.lex = Lex::LineComment;
        }
        true
    }

    fn end_word(&mut self) {
        if !self.word.is_empty() {
            let w = std::mem::take(&mut self.word);
            self.token(Token::Word(w));
        }
    }

    fn token(&mut self, t: Token) {
        self.copy_statement(&t);
        if self.after_engine && t == Token::Punct('=') {
            self.mysql = true;
        }
        self.after_engine = matches!(&t, Token::Word(w) if w.eq_ignore_ascii_case("ENGINE"));
        if matches!(&t, Token::Word(w) if word_is(w, &["$IF", "$ERROR"])) {
            self.oracle_cc = true;
        }
        // In a privilege list (GRANT CREATE TABLE, CREATE VIEW TO …) CREATE starts no statement.
        let after_grant = std::mem::replace(
            &mut self.after_grant,
            match &t {
                Token::Word(w) => word_is(w, &["GRANT", "REVOKE", "DENY"]),
                Token::Punct(c) => *c == ',',
                Token::Quoted(_) => false,
            },
        );
        let create =
            !after_grant && matches!(&t, Token::Word(w) if w.eq_ignore_ascii_case("CREATE"));
        let next = if create {
            Parse::Create {
                temp: false,
                global: false,
            }
        } else {
            Parse::Idle
        };
        self.parse = match (std::mem::replace(&mut self.parse, Parse::Idle), t) {
            (Parse::Create { temp, .. }, Token::Word(w)) if word_is(&w, &["TABLE"]) => {
                Parse::Table { temp }
            }
            // TEMPORARY: MySQL's and PostgreSQL's session tables, Oracle's PRIVATE ones; but
            // Oracle's GLOBAL TEMPORARY tables are permanent schema objects.
            (Parse::Create { global, .. }, Token::Word(w))
                if word_is(&w, &["TEMPORARY", "TEMP"]) =>
            {
                Parse::Create {
                    temp: !global,
                    global: false,
                }
            }
            (Parse::Create { temp, .. }, Token::Word(w)) if word_is(&w, MODIFIERS) => {
                Parse::Create {
                    temp,
                    global: w.eq_ignore_ascii_case("GLOBAL"),
                }
            }
            (Parse::Table { temp }, Token::Word(w)) if word_is(&w, &["IF", "NOT", "EXISTS"]) => {
                Parse::Table { temp }
            }
            (Parse::Table { .. }, Token::Word(w)) if word_is(&w, NOT_NAMES) => next,
            (Parse::Table { temp }, Token::Word(w) | Token::Quoted(w)) => Parse::Name {
                parts: vec![w],
                dot: false,
                temp,
            },
            (Parse::Name { parts, dot, temp }, Token::Punct('.')) => {
                let mut parts = parts;
                if dot {
                    parts.push(String::new()); // tempdb..#t: the default schema
                }
                Parse::Name {
                    parts,
                    dot: true,
                    temp,
                }
            }
            (
                Parse::Name {
                    mut parts,
                    dot: true,
                    temp,
                },
                Token::Word(w) | Token::Quoted(w),
            ) => {
                parts.push(w);
                Parse::Name {
                    parts,
                    dot: false,
                    temp,
                }
            }
            (Parse::Name { parts, temp, .. }, _) => {
                self.record(&parts, temp);
                next
            }
            _ => next,
        };
    }

    /// Follow `COPY … FROM STDIN …;`, whose data rows start on the next line.
    fn copy_statement(&mut self, t: &Token) {
        let word = |kw: &str| matches!(t, Token::Word(w) if w.eq_ignore_ascii_case(kw));
        let end = *t == Token::Punct(';');
        if end && self.copy == CopyParse::Stdin {
            self.copy_pending = true;
        }
        self.copy = match self.copy {
            _ if end => CopyParse::Idle,
            CopyParse::Idle if self.stmt_start && word("COPY") => CopyParse::Copy,
            CopyParse::Copy if word("FROM") => CopyParse::From,
            CopyParse::Copy | CopyParse::Stdin if word("TO") => CopyParse::Idle,
            CopyParse::From if word("STDIN") => CopyParse::Stdin,
            CopyParse::From => CopyParse::Idle,
            other => other,
        };
        self.stmt_start = end;
    }

    /// A CREATE TABLE with its name: count it, unless it is temporary (TEMPORARY, or SQL
    /// Server's #temp tables and @table variables).
    fn record(&mut self, parts: &[String], temp: bool) {
        if temp || parts.iter().any(|p| p.starts_with(['#', '@'])) {
            return;
        }
        self.stats.tables += 1;
        if self.stats.names.len() < MAX_NAMES {
            self.stats.names.push(shown(&parts.join(".")));
        }
    }
}

/// A name as reports show it: control characters escaped, at most `MAX_NAME_CHARS` characters.
fn shown(name: &str) -> String {
    let mut out = String::new();
    let mut chars = 0;
    for c in name.chars() {
        let mut b = [0u8; 4];
        let e = names::display(c.encode_utf8(&mut b).as_bytes());
        let n = e.chars().count();
        if chars + n > MAX_NAME_CHARS {
            out.push('…');
            break;
        }
        out.push_str(&e);
        chars += n;
    }
    out
}

/// Scan one script from a reader, whatever its encoding. Returns the stats and the encoding.
pub fn scan(reader: &mut dyn Read) -> io::Result<(SqlStats, String)> {
    let mut scanner = TableScanner::new();
    let encoding = text::decode_stream(reader, &mut |s| scanner.feed(s))?;
    Ok((scanner.finish(), encoding))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(sql: &str) -> SqlStats {
        let mut s = TableScanner::new();
        s.feed(sql);
        s.finish()
    }

    #[test]
    fn dialects() {
        // SQL Server's #temp table comes first: after MySQL's backticks, '#' starts a comment.
        let sql = r#"
CREATE TABLE #tmp (x int);
-- MySQL
CREATE TABLE IF NOT EXISTS `his`.`patient` (`id` bigint);
/* SQL Server */ create table [dbo].[门诊挂号] ([id] int)
GO
CREATE GLOBAL TEMPORARY TABLE "HIS"."ORDERS" ("ID" NUMBER);
create unlogged table public.visit (id serial, tags text[]);
Create Or Replace Table t6 as select 1;
"#;
        let st = count(sql);
        assert_eq!(st.tables, 5, "{st:?}");
        assert_eq!(
            st.names,
            vec![
                "his.patient",
                "dbo.门诊挂号",
                "HIS.ORDERS",
                "public.visit",
                "t6"
            ]
        );
    }

    #[test]
    fn ignores_comments_strings_and_other_statements() {
        // A MySQL script: its executable comment says so, and a backslash escapes in strings.
        let sql = "
/*!40101 SET NAMES utf8mb4 */;
-- CREATE TABLE in_comment (x int);
/* CREATE TABLE in_block
   comment */
# CREATE TABLE mysql_hash_comment
INSERT INTO log VALUES ('CREATE TABLE in_string', 'it\\'s CREATE TABLE x');
CREATE INDEX idx ON t (c);
CREATE VIEW v AS SELECT 1;
DROP TABLE old;
ALTER TABLE t ADD c int;
SELECT 'CREATE TABLE' AS s;
CREATE TABLE real_one (`a--b` int, c varchar(10) DEFAULT '/*');
";
        let st = count(sql);
        assert_eq!(st.tables, 1, "{st:?}");
        assert_eq!(st.names, vec!["real_one"]);
    }

    fn names(sql: &str) -> Vec<String> {
        let st = count(sql);
        assert_eq!(st.tables, st.names.len() as u64, "{st:?}");
        st.names
    }

    #[test]
    fn backslash_escapes_only_in_mysql_and_e_strings() {
        // SQL Server, Oracle, PostgreSQL: a backslash is an ordinary character.
        let tsql = "SELECT REPLACE(@p,'\\','/')\nGO\nCREATE TABLE a (x int)\nGO\nCREATE TABLE b (y int)\nGO\n";
        assert_eq!(names(tsql), ["a", "b"]);
        // MySQL, known by a backtick, an executable comment or ENGINE=.
        let backtick = "CREATE TABLE `a` (c varchar(9) DEFAULT 'it\\'s; CREATE TABLE x');\nCREATE TABLE b (y int);";
        assert_eq!(names(backtick), ["a", "b"]);
        let executable = "/*!40101 SET NAMES utf8 */;\nINSERT INTO t VALUES ('a\\'b; CREATE TABLE x (y int);');\nCREATE TABLE c (x int);";
        assert_eq!(names(executable), ["c"]);
        let engine =
            "CREATE TABLE d (x int) ENGINE=InnoDB COMMENT='d\\'s';\nCREATE TABLE e (y int);";
        assert_eq!(names(engine), ["d", "e"]);
        let dquote = "CREATE TABLE `f` (x int COMMENT \"say \\\"hi\\\"; CREATE TABLE x\");\nCREATE TABLE g (y int);";
        assert_eq!(names(dquote), ["f", "g"]);
        // PostgreSQL's E'…' strings.
        let e = "SELECT E'it\\'s; CREATE TABLE x (y int);', e'\\\\';\nCREATE TABLE h (x int);\nSELECT '\\';\nCREATE TABLE i (x int);";
        assert_eq!(names(e), ["h", "i"]);
    }

    #[test]
    fn counts_statements_not_keywords() {
        let sql = "
GRANT CREATE TABLE, CREATE VIEW TO his;
GRANT SELECT, CREATE TABLE TO his
REVOKE CREATE TABLE FROM his;
DENY CREATE TABLE TO guest
GRANT CREATE ANY TABLE TO his;
CREATE TABLE;
CREATE TABLE (x int);
IF OBJECT_ID(N'dbo.a') IS NULL
CREATE TABLE dbo.a (x int)
CREATE TABLE b (x int) CREATE TABLE c (x int)
CREATE TABLE d LIKE a;
CREATE TABLE e AS SELECT * FROM a;
";
        assert_eq!(names(sql), ["dbo.a", "b", "c", "d", "e"]);
    }

    #[test]
    fn temporary_tables_are_not_counted() {
        let tsql = "CREATE TABLE #tmp (x int); CREATE TABLE ##shared (x int)\nCREATE TABLE tempdb..#t (x int)\nCREATE TABLE [#q] (x int)\nCREATE TABLE @v (x int)\nCREATE TABLE dbo.kept (x int)\n";
        assert_eq!(names(tsql), ["dbo.kept"]);
        let others = "
CREATE TEMPORARY TABLE s1 (x int);
CREATE TEMPORARY TABLE IF NOT EXISTS s2 (x int);
create temp table s3 as select 1;
CREATE LOCAL TEMPORARY TABLE s4 (x int);
CREATE OR REPLACE TEMP TABLE s5 (x int);
CREATE PRIVATE TEMPORARY TABLE ora$ptt_s6 (x int);
CREATE GLOBAL TEMPORARY TABLE his.gtt (x int) ON COMMIT DELETE ROWS;
CREATE TABLE kept2 (x int);
";
        assert_eq!(names(others), ["his.gtt", "kept2"]);
    }

    #[test]
    fn hash_comments_anywhere_in_mysql_only() {
        let mysql = "CREATE TABLE `a` (id int, # patient's id\n  name varchar(10)); # it's a\nCREATE TABLE `b` (x int);#c'\n";
        assert_eq!(names(mysql), ["a", "b"]);
        // Elsewhere a '#' only starts a comment at the start of a line.
        let tsql = "# it's a comment\nCREATE TABLE #tmp (x int); CREATE TABLE real (x int)\n  # CREATE TABLE no\n";
        assert_eq!(names(tsql), ["real"]);
    }

    #[test]
    fn sqlplus_dollar_and_q_quotes() {
        let sqlplus = "REM Don't edit\nrem\nCREATE TABLE a (x int);\nREMARK it's generated\nPROMPT Creating table B's\nprompt\nCREATE TABLE b (x int);\n";
        assert_eq!(names(sqlplus), ["a", "b"]);
        let pg = "CREATE FUNCTION f() RETURNS int AS $$don't CREATE TABLE x (y int); $$ LANGUAGE sql;\nDO $body$ BEGIN CREATE TABLE y (z int); RAISE 'it''s $$'; END $body$;\nCREATE TABLE c (x int);\nSELECT $1, $a$'$a$;\nCREATE TABLE d (x int);\n";
        assert_eq!(names(pg), ["c", "d"]);
        // Oracle: v$ views, inquiry directives, q-quotes.
        let oracle = "CREATE TABLE v$session_copy AS SELECT * FROM v$session;\nBEGIN log($$PLSQL_UNIT); $IF $$debug $THEN log('x'); $END END;\n/\nSELECT $$Plsql_Line FROM dual;\nSELECT q'[it's]', Q'{don't}', q'(a')b)', nq'<c'>', q'!d'!' FROM dual;\nCREATE TABLE e (x int);\nSELECT q'', q' x' FROM dual;\nCREATE TABLE f (x int);\n";
        assert_eq!(names(oracle), ["v$session_copy", "e", "f"]);
        // DELIMITER: MySQL, where $$ ends statements.
        let delim = "DELIMITER $$\nCREATE TABLE g (x int)$$\nCREATE PROCEDURE p() BEGIN SELECT 1; END$$\nDELIMITER ;\nCREATE TABLE h (x int);\n";
        assert_eq!(names(delim), ["g", "h"]);
    }

    #[test]
    fn pg_dump_copy_data_and_meta_commands() {
        // pg_dump's shape: \restrict, COPY blocks whose rows hold quotes, CREATE TABLE text,
        // backslashes and tabs, then `\.`; psql's \connect and \copy.
        let dump = "--\n-- PostgreSQL database dump\n--\n\n\\restrict abcDEF123\n\nSET client_encoding = 'UTF8';\n\\connect his\nCREATE TABLE public.a (\n    id integer,\n    name text\n);\n\nALTER TABLE public.a OWNER TO postgres;\n\nCOPY public.a (id, name) FROM stdin;\n1\tO'Neil\n2\tit's; CREATE TABLE fake1 (x int);\n3\tback\\\\slash\\ttab\t\\N\n4\t\\\\.\n\\.\n\n\nCREATE TABLE public.b (id integer);\ncopy public.b from STDIN with (format csv);\r\n1,\"CREATE TABLE fake2 (y int);\"\r\n\\.\r\nCREATE TABLE c (x int);\n\\copy c from stdin\n'\n\\.\nCREATE TABLE d (x int);\nCOPY (SELECT 1 FROM stdin) TO STDOUT;\nCREATE TABLE e (x int);\n  \\set ON_ERROR_STOP on\nCREATE TABLE f (x int);\n\\unrestrict abcDEF123\n";
        assert_eq!(names(dump), ["public.a", "public.b", "c", "d", "e", "f"]);
        // Without its end marker the data runs to the end of the script.
        assert_eq!(
            names("COPY t FROM stdin;\nCREATE TABLE x (y int);\n"),
            Vec::<String>::new()
        );
        // A backslash not at a line's start is no meta-command; COPY FROM a file has no rows.
        let other = "SELECT '\\' AS s; COPY t FROM '/tmp/x.csv';\nCREATE TABLE g (x int);\n";
        assert_eq!(names(other), ["g"]);
        for cut in 0..dump.len() {
            if dump.is_char_boundary(cut) {
                let mut s = TableScanner::new();
                s.feed(&dump[..cut]);
                s.feed(&dump[cut..]);
                assert_eq!(s.finish().tables, 6, "cut at {cut}");
            }
        }
    }

    #[test]
    fn quoted_names_with_doubled_quotes() {
        let sql = "CREATE TABLE \"a\"\"b\" (x int); CREATE TABLE [c]]d] (x int); CREATE TABLE `e``f` (x int);";
        assert_eq!(names(sql), ["a\"b", "c]d", "e`f"]);
    }

    #[test]
    fn names_are_escaped_and_capped() {
        let long = "长".repeat(300);
        let sql = format!(
            "CREATE TABLE \"evil\u{1b}[31m\nname\\x\" (x int);\nCREATE TABLE [{long}] (x int);\nCREATE TABLE t{} (x int);\n",
            "a".repeat(200)
        );
        let st = count(&sql);
        assert_eq!(st.tables, 3);
        assert_eq!(st.names[0], "evil\\u{1b}[31m\\nname\\\\x");
        assert_eq!(st.names[1], format!("{}…", "长".repeat(MAX_NAME_CHARS)));
        assert_eq!(st.names[2].chars().count(), MAX_NAME_CHARS + 1);
        assert!(st.names.iter().all(|n| !n.chars().any(char::is_control)));
    }

    #[test]
    fn split_across_pieces() {
        let sql = "CREATE TABLE a (x int); -- c\nCREATE TABLE `b` (y int);";
        for cut in 0..sql.len() {
            if !sql.is_char_boundary(cut) {
                continue;
            }
            let mut s = TableScanner::new();
            s.feed(&sql[..cut]);
            s.feed(&sql[cut..]);
            assert_eq!(s.finish().tables, 2, "cut at {cut}");
        }
        let sql = r"REM it's
SELECT $t$'$t$, q'[']', E'\\', 'a''b';
CREATE TABLE [x]]y] (i int)
CREATE TABLE `z` (c int COMMENT 'it\'s', # it's
 d int);";
        let whole = count(sql);
        assert_eq!(whole.names, ["x]y", "z"]);
        for (i, _) in sql.char_indices() {
            for (j, _) in sql.char_indices().filter(|(j, _)| *j >= i) {
                let mut s = TableScanner::new();
                s.feed(&sql[..i]);
                s.feed(&sql[i..j]);
                s.feed(&sql[j..]);
                assert_eq!(s.finish(), whole, "cuts at {i} and {j}");
            }
        }
    }
}
