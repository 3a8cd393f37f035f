//! Counting `CREATE TABLE` statements in SQL scripts of any common dialect (MySQL backticks,
//! SQL Server brackets, Oracle and PostgreSQL double quotes), skipping comments and string
//! literals, streaming so that multi-gigabyte dumps stay in bounded memory.

use std::io::{self, Read};

use crate::text;

/// How many table names are kept as evidence (all are counted).
const MAX_NAMES: usize = 50;

/// What the scanner found in one or more scripts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SqlStats {
    pub tables: u64,
    /// The first table names, as written (schema-qualified names joined with '.').
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    Normal,
    /// Saw '-' : a second one starts a line comment.
    Dash,
    /// Saw '/' : a '*' starts a block comment.
    Slash,
    LineComment,
    BlockComment {
        star: bool,
    },
    Str {
        escape: bool,
    },
    Quoted {
        close: char,
    },
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
    /// After CREATE and optional modifiers.
    Create,
    /// After CREATE … TABLE, before the name (IF NOT EXISTS may come).
    Table,
    /// Inside the name; `dot` when the last token was '.'.
    Name {
        parts: Vec<String>,
        dot: bool,
    },
}

/// A streaming scanner: feed it text in pieces of any size.
pub struct TableScanner {
    lex: Lex,
    word: String,
    quoted: String,
    line_start: bool,
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
            quoted: String::new(),
            line_start: true,
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
            Lex::BlockComment { star } => {
                self.lex = if star && c == '/' {
                    Lex::Normal
                } else {
                    Lex::BlockComment { star: c == '*' }
                };
            }
            Lex::Str { escape } => {
                self.lex = if escape {
                    Lex::Str { escape: false }
                } else if c == '\\' {
                    Lex::Str { escape: true }
                } else if c == '\'' {
                    Lex::Normal
                } else {
                    Lex::Str { escape: false }
                };
            }
            Lex::Quoted { close } => {
                if c == close {
                    self.lex = Lex::Normal;
                    let q = std::mem::take(&mut self.quoted);
                    self.token(Token::Quoted(q));
                } else if self.quoted.len() < 256 {
                    self.quoted.push(c);
                }
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
                    self.lex = Lex::BlockComment { star: false };
                } else {
                    self.lex = Lex::Normal;
                    self.token(Token::Punct('/'));
                    self.normal(c);
                }
            }
            Lex::Normal => self.normal(c),
        }
    }

    fn normal(&mut self, c: char) {
        let was_line_start = self.line_start;
        if c == '\n' {
            self.line_start = true;
        } else if !(c == ' ' || c == '\t' || c == '\r') {
            self.line_start = false;
        }
        if c.is_alphanumeric() || c == '_' || c == '$' || c == '@' || (c == '#' && !was_line_start)
        {
            if self.word.len() < 256 {
                self.word.push(c);
            }
            return;
        }
        self.end_word();
        match c {
            '-' => self.lex = Lex::Dash,
            '/' => self.lex = Lex::Slash,
            '#' => self.lex = Lex::LineComment,
            '\'' => self.lex = Lex::Str { escape: false },
            '"' => self.lex = Lex::Quoted { close: '"' },
            '`' => self.lex = Lex::Quoted { close: '`' },
            '[' => self.lex = Lex::Quoted { close: ']' },
            c if c.is_whitespace() => {}
            c => self.token(Token::Punct(c)),
        }
    }

    fn end_word(&mut self) {
        if !self.word.is_empty() {
            let w = std::mem::take(&mut self.word);
            self.token(Token::Word(w));
        }
    }

    fn token(&mut self, t: Token) {
        let word_is = |w: &str, kws: &[&str]| kws.iter().any(|k| w.eq_ignore_ascii_case(k));
        self.parse = match (std::mem::replace(&mut self.parse, Parse::Idle), t) {
            (Parse::Create, Token::Word(w)) if word_is(&w, &["TABLE"]) => {
                self.stats.tables += 1;
                Parse::Table
            }
            (Parse::Create, Token::Word(w))
                if word_is(
                    &w,
                    &[
                        "OR",
                        "REPLACE",
                        "GLOBAL",
                        "LOCAL",
                        "TEMPORARY",
                        "TEMP",
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
                    ],
                ) =>
            {
                Parse::Create
            }
            (Parse::Table, Token::Word(w)) if word_is(&w, &["IF", "NOT", "EXISTS"]) => Parse::Table,
            (Parse::Table, Token::Word(w) | Token::Quoted(w)) => Parse::Name {
                parts: vec![w],
                dot: false,
            },
            (Parse::Name { parts, dot: false }, Token::Punct('.')) => {
                Parse::Name { parts, dot: true }
            }
            (
                Parse::Name {
                    mut parts,
                    dot: true,
                },
                Token::Word(w) | Token::Quoted(w),
            ) => {
                parts.push(w);
                Parse::Name { parts, dot: false }
            }
            (Parse::Name { parts, .. }, t) => {
                self.record(&parts);
                if matches!(&t, Token::Word(w) if w.eq_ignore_ascii_case("CREATE")) {
                    Parse::Create
                } else {
                    Parse::Idle
                }
            }
            (_, Token::Word(w)) if w.eq_ignore_ascii_case("CREATE") => Parse::Create,
            _ => Parse::Idle,
        };
    }

    fn record(&mut self, parts: &[String]) {
        if self.stats.names.len() < MAX_NAMES {
            self.stats.names.push(parts.join("."));
        }
    }
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
        let sql = r#"
-- MySQL
CREATE TABLE IF NOT EXISTS `his`.`patient` (`id` bigint);
/* SQL Server */ create table [dbo].[门诊挂号] ([id] int)
GO
CREATE GLOBAL TEMPORARY TABLE "HIS"."ORDERS" ("ID" NUMBER);
create unlogged table public.visit (id serial, tags text[]);
CREATE TABLE #tmp (x int);
Create Or Replace Table t6 as select 1;
"#;
        let st = count(sql);
        assert_eq!(st.tables, 6, "{st:?}");
        assert_eq!(
            st.names,
            vec![
                "his.patient",
                "dbo.门诊挂号",
                "HIS.ORDERS",
                "public.visit",
                "#tmp",
                "t6"
            ]
        );
    }

    #[test]
    fn ignores_comments_strings_and_other_statements() {
        let sql = "
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
    }
}
