//! Hard-coded credentials (`credential-hardcoded`): key stores and private key files, and the
//! credential line rules. Also the redaction every evidence line goes through, so that no
//! secret is ever printed: only its length and a short fingerprint.

use super::LineCode;
use crate::finding::Finding;
use crate::scan::Scanner;
use crate::scan::inspect::FileScan;

/// How the line engine treats credential rules: per line, not in third-party code.
pub(super) const LINE: LineCode = LineCode {
    code: "credential-hardcoded",
    once_per_file: false,
    skip_third_party: true,
    text: |en, zh| {
        (
            format!("{en} written in the delivery: hand it over and rotate it before go-live"),
            format!("交付物中写有{zh}：应作为交接清单移交，并在上线前更换"),
        )
    },
};

/// The first 8 hex digits of a secret's SHA-256: tells two secrets apart without showing them.
pub(in crate::scan) fn fingerprint(secret: &[u8]) -> String {
    crate::hash::sha256_hex(secret)[..8].to_owned()
}

/// How many characters a byte string shows as (invalid UTF-8 counting as replacement
/// characters).
pub(in crate::scan) fn chars(b: &[u8]) -> usize {
    String::from_utf8_lossy(b).chars().count()
}

/// `credential-hardcoded`: a binary key store or DER private key file.
pub(in crate::scan) fn key_store(
    file: &FileScan<'_>,
    der: bool,
    third_party: bool,
) -> Option<Finding> {
    // By extension, or by name (Tomcat's `conf/.keystore`).
    let name = crate::delivery::names::file_name(&file.named);
    let store = matches!(
        file.ext.as_str(),
        "p12" | "pfx" | "jks" | "jceks" | "keystore" | "bks" | "ks"
    ) || name.eq_ignore_ascii_case(b".keystore");
    let der_key = der && matches!(file.ext.as_str(), "key" | "pk8");
    if third_party || !(store || der_key) || file.seen == 0 {
        return None;
    }
    Some(
        Finding::of(
            crate::scan::codes::ScanCode::CredentialHardcoded,
            "key store or private key file in the delivery: hand it over with its password and rotate it before go-live",
            "交付物中有密钥库或私钥文件：应连同其口令移交，并在上线前更换",
        )
        .path(file.display())
        .rule("key-store-file")
        .evidence(vec![format!(
            "{} file, {} bytes (content not shown)",
            if store { "key store" } else { "DER private key" },
            file.seen
        )]),
    )
}

/// A line with every secret-looking part replaced by `[redacted: N characters, fingerprint
/// sha256:…]`: what any credential rule would take as its secret (whatever its entropy),
/// text after a private-key marker, and quoted literals that look like passwords. With
/// `own`, the line is cut after that span's marker.
pub(in crate::scan) fn redact(
    scanner: &Scanner,
    line: &[u8],
    own: Option<(usize, usize)>,
) -> String {
    let mut spans: Vec<(usize, usize)> = own.into_iter().collect();
    for &ci in &scanner.credential_rules {
        let r = &scanner.rules[ci];
        for caps in r.regex.captures_iter(line) {
            if let Some(m) = (r.secret_group.max(1)..caps.len()).find_map(|g| caps.get(g))
                && !m.is_empty()
            {
                spans.push((m.start(), m.end()));
            }
        }
    }
    // Long runs of key-like characters mixing letters and digits: tokens, key material.
    for m in token_run().find_iter(line) {
        let t = m.as_bytes();
        if t.iter().any(u8::is_ascii_alphabetic) && t.iter().any(u8::is_ascii_digit) {
            spans.push((m.start(), m.end()));
        }
    }
    for caps in quoted_literal().captures_iter(line) {
        if let Some(m) = caps.get(1).or_else(|| caps.get(2))
            && looks_secret(m.as_bytes())
        {
            spans.push((m.start(), m.end()));
        }
    }
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (a, b) in spans {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    let mut out = String::new();
    let mut at = 0;
    for (a, b) in merged {
        out.push_str(&String::from_utf8_lossy(&line[at..a]));
        let secret = &line[a..b];
        out.push_str(&format!(
            "[redacted: {} characters, fingerprint sha256:{}]",
            chars(secret),
            fingerprint(secret)
        ));
        at = b;
        if own.is_some_and(|(oa, ob)| a <= oa && ob <= b) {
            return out;
        }
    }
    out.push_str(&String::from_utf8_lossy(&line[at..]));
    out
}

/// Runs of 20 or more base64 or token characters.
fn token_run() -> &'static regex::bytes::Regex {
    static RE: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| regex::bytes::Regex::new(r"[A-Za-z0-9+/_\-]{20,}").expect("valid regex"))
}

/// Quoted string literals on a line.
fn quoted_literal() -> &'static regex::bytes::Regex {
    static RE: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::bytes::Regex::new(r#""([^"\s]{6,128})"|'([^'\s]{6,128})'"#).expect("valid regex")
    })
}

/// A literal that may be a password: letters mixed with digits or symbols, no spaces, not a
/// date. Plain words (`"Password"`, `"DefaultConnection"`) stay readable.
fn looks_secret(v: &[u8]) -> bool {
    let letter = v.iter().any(u8::is_ascii_alphabetic);
    let digit = v.iter().any(u8::is_ascii_digit);
    let symbol = v.iter().any(|b| b"!@#$%^&*+=?~|<>".contains(b));
    let date =
        v.len() >= 8 && v[..4].iter().all(u8::is_ascii_digit) && matches!(v[4], b'-' | b'/' | b'.');
    !date && letter && (digit || symbol)
}

/// Values that are not secrets but stand for one: empty, masks (`******`, `xxxx`), templates
/// and variables (`${DB_PASS}`, `$PGPASS`, `{{ .Values.x }}`, `%(x)s`, `%PWD%`, `<password>`),
/// reads of the environment, booleans and words written in documentation (`your_password`).
/// A real word used as the value (`password`, `changeme`, `root`) is a default password, not
/// a placeholder.
pub(in crate::scan) fn is_placeholder(v: &[u8]) -> bool {
    const WORDS: &[&str] = &[
        "null",
        "nil",
        "none",
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "undefined",
        "string",
        "empty",
        "todo",
        "tbd",
        "fixme",
        "example",
        "placeholder",
        "redacted",
        "hidden",
        "masked",
    ];

    let s = String::from_utf8_lossy(v).to_lowercase();
    let s = s.trim();
    let Some(first) = s.chars().next() else {
        return true;
    };
    if !first.is_alphanumeric() && s.chars().all(|c| c == first) {
        return true;
    }
    let variable = |rest: &str| {
        rest.starts_with(|c: char| c.is_ascii_alphabetic() || matches!(c, '_' | '{' | '('))
    };
    WORDS.contains(&s)
        || s.starts_with("your")
        || s.starts_with('$') && variable(&s[1..])
        || s.starts_with("#{")
        || s.starts_with("{{")
        || s.starts_with("%(")
        || s.starts_with('{') && s.ends_with('}')
        || s.starts_with('<') && s.ends_with('>')
        || s.starts_with('%') && s.ends_with('%') && s.len() > 2
        || s.starts_with("process.env")
        || s.starts_with("os.environ")
        || s.starts_with("system.getenv")
        || s.starts_with("getenv")
        || s.starts_with("env.")
        || s.starts_with("env(")
        || s.starts_with("enc(")
        || s.starts_with("encrypted[")
        || s.contains("xxxx")
        || s.contains("****")
}

/// What kind of file a line comes from, for judging the value of a setting: in code and
/// documentation a value may name a setting (`PASSWORD_KEY = "password"`), in configuration
/// and deployment files the same word is the password itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::scan) enum FileClass {
    /// Source code.
    Code,
    /// Documentation.
    Doc,
    /// Configuration, scripts, deployment files and everything else.
    Config,
}

impl FileClass {
    /// The class of a file from its (lower-case) extension.
    pub(in crate::scan) fn of(ext: &str) -> FileClass {
        const CODE: &[&str] = &[
            "java", "kt", "scala", "groovy", "cs", "vb", "js", "mjs", "cjs", "ts", "jsx", "tsx",
            "vue", "py", "php", "go", "rb", "pl", "pm", "jsp", "aspx", "c", "h", "cc", "cpp",
            "hpp", "rs", "swift", "m", "dart", "lua", "pas", "prg",
        ];
        const DOC: &[&str] = &["md", "markdown", "rst", "adoc", "txt", "html", "htm"];
        if CODE.contains(&ext) {
            FileClass::Code
        } else if DOC.contains(&ext) {
            FileClass::Doc
        } else {
            FileClass::Config
        }
    }
}

/// Translation catalogues: the word "password" there is a label in some language
/// (`login.password=密码`, `"password": "Mot de passe"`). Password and key rules skip them.
pub(in crate::scan) fn is_translation_catalogue(path: &[u8]) -> bool {
    const DIRS: &[&str] = &[
        "i18n",
        "l10n",
        "locales",
        "locale",
        "lang",
        "langs",
        "translations",
    ];
    const LANGS: &[&str] = &[
        "zh", "en", "ja", "ko", "fr", "de", "es", "ru", "pt", "it", "ar", "vi", "th", "ms", "tr",
        "nl", "pl", "uk", "ug", "bo", "tw", "cn", "hk",
    ];
    // Names of catalogue files before their locale suffix (`labels_zh_CN`, `Resources_en`).
    const CATALOGUE_NAMES: &[&str] = &[
        "message",
        "label",
        "resource",
        "string",
        "text",
        "lang",
        "i18n",
        "validation",
        "error",
        "tip",
        "prompt",
    ];
    let p = String::from_utf8_lossy(path).to_ascii_lowercase();
    let mut comps: Vec<&str> = p.split('/').collect();
    let name = comps.pop().unwrap_or("");
    // Only data files hold translations: `com/acme/lang/` in Java or C# is a package, and a
    // script or PHP file under `lang/` is code.
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    let data_file = matches!(
        ext,
        "json"
            | "properties"
            | "yml"
            | "yaml"
            | "ts"
            | "js"
            | "po"
            | "pot"
            | "resx"
            | "xlf"
            | "xliff"
            | "strings"
            | "arb"
    );
    if data_file && comps.iter().any(|c| DIRS.contains(c)) {
        return true;
    }
    let Some(stem) = name.strip_suffix(".properties") else {
        return false;
    };
    if stem.starts_with("messages") || stem.ends_with("messages") {
        return true;
    }
    // `labels_zh_CN.properties`, `Resources_en.properties`: a catalogue's name and a locale
    // suffix (`jdbc_cn.properties` is a configuration, not a catalogue).
    let mut parts = stem.rsplit('_');
    let last = parts.next().unwrap_or("");
    let before = parts.next();
    let is_lang = |s: &str| LANGS.contains(&s);
    let locale = is_lang(last) || last.len() == 2 && before.is_some_and(is_lang);
    let base = stem.split('_').next().unwrap_or("");
    stem.contains('_') && locale && CATALOGUE_NAMES.iter().any(|n| base.contains(n))
}

/// A value that is text for people, not a secret: Chinese (or other non-Latin) words, or
/// words separated by spaces (`Mot de passe`, `Your AK`).
pub(in crate::scan) fn is_label(v: &[u8]) -> bool {
    let s = String::from_utf8_lossy(v);
    let s = s.trim();
    s.chars().any(|c| c as u32 >= 0x2E80 && c.is_alphabetic()) || s.contains(char::is_whitespace)
}

/// The words of a setting's name: split at separators and at camelCase boundaries,
/// lower-cased (`spring.datasource.loginPassword` → spring, datasource, login, password).
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether one word of a name says "password": `password`, `pwd`, `pass`, `pgpassword`,
/// `dbpass`; not `bypass` or `compass`.
fn password_word(w: &str) -> bool {
    const WORDS: &[&str] = &[
        "password",
        "passwd",
        "passwort",
        "pwd",
        "pass",
        "passphrase",
        "pswd",
        "passcode",
    ];
    const PREFIXES: &[&str] = &[
        "db", "pg", "my", "mysql", "sql", "root", "admin", "user", "ftp", "smtp", "mail", "redis",
        "sys", "sa", "ora", "login", "mq", "es", "ldap",
    ];
    WORDS.contains(&w)
        || w.ends_with("password")
        || w.ends_with("passwd")
        || w.ends_with("pwd")
        || w.strip_suffix("pass")
            .is_some_and(|p| PREFIXES.contains(&p))
}

/// Whether a setting's name says it holds a password: its last word (before `value`, `str`
/// and the like) says "password". `PASSWORD_KEY`, `passwordEncoder` and
/// `GP_PASSWORD_MINIMUM_LENGTH` hold something else.
pub(in crate::scan) fn names_password(name: &[u8]) -> bool {
    const FILLERS: &[&str] = &[
        "value",
        "str",
        "string",
        "plain",
        "plaintext",
        "raw",
        "default",
    ];
    let ws = words(&String::from_utf8_lossy(name));
    let last = ws
        .iter()
        .rev()
        .find(|w| !FILLERS.contains(&w.as_str()) && !w.bytes().all(|b| b.is_ascii_digit()));
    last.is_some_and(|w| password_word(w))
}

/// A value in code that names a setting or a field rather than holding a password: the word
/// itself (`PASSWORD = "password"`), or an identifier made of words one of which says
/// password (`"trustStorePassword"`, `"security.passwordMinimumLength"`).
fn names_a_setting(value: &[u8], key: Option<&[u8]>) -> bool {
    let v = String::from_utf8_lossy(value);
    let lower = v.to_ascii_lowercase();
    if password_word(&lower) && !lower.bytes().any(|b| b.is_ascii_digit()) {
        return true;
    }
    if key.is_some_and(|k| String::from_utf8_lossy(k).eq_ignore_ascii_case(&v)) {
        return true;
    }
    let identifier = v
        .bytes()
        .all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'.' | b'-' | b':'));
    let ws = words(&v);
    identifier
        && ws.len() >= 2
        && ws
            .iter()
            .any(|w| password_word(w) || w == "secret" || w == "token" || w == "key")
}

/// A form validation rule written where a password's field is named (ThinkPHP, Laravel:
/// `'password' => 'require|min:6'`).
fn validation_rule(v: &[u8]) -> bool {
    let s = String::from_utf8_lossy(v).to_ascii_lowercase();
    s.split('|').any(|part| {
        let name = part.split(':').next().unwrap_or("");
        matches!(
            name,
            "require"
                | "required"
                | "min"
                | "max"
                | "length"
                | "confirm"
                | "confirmed"
                | "alphanum"
                | "alpha_num"
                | "alpha_dash"
                | "between"
                | "regex"
                | "string"
        )
    }) && (s.contains('|') || s.contains(':'))
}

/// A password that is easy to guess (弱口令): a common one, short, of one kind of character,
/// or a word followed by a year or a few digits (`admin123`, `his@2023`).
pub(in crate::scan) fn is_weak(v: &[u8]) -> bool {
    const COMMON: &[&str] = &[
        "password",
        "passwd",
        "password1",
        "password123",
        "p@ssw0rd",
        "p@ssword",
        "passw0rd",
        "admin",
        "admin123",
        "admin@123",
        "admin888",
        "administrator",
        "root",
        "root123",
        "toor",
        "sa",
        "test",
        "test123",
        "qwerty",
        "qwe123",
        "123qwe",
        "qwer1234",
        "abc123",
        "abcd1234",
        "1qaz2wsx",
        "1qaz@wsx",
        "1q2w3e4r",
        "changeme",
        "changeit",
        "secret",
        "welcome",
        "letmein",
        "oracle",
        "mysql",
        "postgres",
        "guest",
        "manager",
        "system",
        "master",
        "default",
        "iloveyou",
        "a123456",
        "aa123456",
        "123456a",
        "dragon",
    ];
    // A run of digits or keys everybody tries, with a few characters around it: `Sa123456`,
    // `Abc@123456`, `his888888`.
    const RUNS: &[&str] = &[
        "123456", "654321", "111111", "888888", "666666", "000000", "123123", "112233", "qwerty",
        "asdfgh", "1qaz2wsx", "abcdef",
    ];
    let s = String::from_utf8_lossy(v).to_ascii_lowercase();
    if COMMON.contains(&s.as_str()) || s.chars().count() < 8 {
        return true;
    }
    if RUNS
        .iter()
        .any(|r| s.contains(r) && s.chars().count() <= r.len() + 4)
    {
        return true;
    }
    let classes = [
        v.iter().any(u8::is_ascii_lowercase),
        v.iter().any(u8::is_ascii_uppercase),
        v.iter().any(u8::is_ascii_digit),
        v.iter().any(|b| !b.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|c| **c).count() <= 1 {
        return true;
    }
    // A word, perhaps one symbol, then at most four digits: `Hospital2024`, `his@2023`.
    let letters = v.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let rest = &v[letters..];
    let rest = match rest.first() {
        Some(b) if !b.is_ascii_alphanumeric() => &rest[1..],
        _ => rest,
    };
    // The word is written as words are (`his`, `His`, `HIS`), not random letters.
    let word = &v[..letters];
    let regular =
        word.iter().skip(1).all(u8::is_ascii_lowercase) || word.iter().all(u8::is_ascii_uppercase);
    regular
        && letters >= 2
        && !rest.is_empty()
        && rest.len() <= 4
        && rest.iter().all(u8::is_ascii_digit)
}

/// How a credential rule's value is judged: `None` when it is not a secret, else whether it
/// is a weak password. `key` is the setting's name when the rule captures it.
pub(in crate::scan) fn judge(
    kind: crate::scan::rules::SecretKind,
    class: FileClass,
    key: Option<&[u8]>,
    value: &[u8],
    entropy: f64,
) -> Option<bool> {
    use crate::scan::rules::SecretKind;
    if is_placeholder(value) {
        return None;
    }
    match kind {
        // A token rule that captures a setting's name looks for passwords written in pieces.
        SecretKind::Token => (key.is_none_or(names_password)
            && crate::scan::rules::shannon(value) >= entropy)
            .then_some(false),
        SecretKind::Password => {
            if is_label(value)
                || validation_rule(value)
                || key.is_some_and(|k| !names_password(k))
                || class != FileClass::Config && names_a_setting(value, key)
                || crate::scan::rules::shannon(value) < entropy
            {
                return None;
            }
            Some(is_weak(value))
        }
        SecretKind::Key => {
            // Letters mixed with digits, or a long run of varied letters (RuoYi's default JWT
            // secret is the alphabet).
            let mixed = value.iter().any(u8::is_ascii_alphabetic)
                && value.iter().any(u8::is_ascii_digit)
                || value.len() >= 20 && crate::scan::rules::shannon(value) >= 3.5;
            (mixed
                && !is_label(value)
                && !names_a_setting(value, key)
                && crate::scan::rules::shannon(value) >= entropy)
                .then_some(false)
        }
    }
}

/// A Java `.properties` file as the program reads it, one logical line per physical line:
/// `\`-continued lines joined (the lines they took stay, empty, so that line numbers hold),
/// `\uXXXX` and other escapes decoded (native2ascii output), and every `key value` or
/// `key: value` written `key=value`. Comments are kept as they are.
pub(in crate::scan) fn decode_properties(text: &[u8]) -> Vec<u8> {
    let s = String::from_utf8_lossy(text);
    let mut out = String::with_capacity(s.len());
    let mut lines = s.split('\n');
    while let Some(first) = lines.next() {
        let mut logical = first.strip_suffix('\r').unwrap_or(first).to_owned();
        let mut folded = 0;
        let comment = logical.trim_start().starts_with(['#', '!']);
        // The backslashes ending the logical line, counted as it grows (not again over the
        // whole line at each step: a file of `\\\` lines would take quadratic time).
        let mut trailing = trailing_backslashes(&logical);
        while !comment && trailing % 2 == 1 {
            logical.pop();
            trailing -= 1;
            let Some(next) = lines.next() else { break };
            folded += 1;
            let segment = next.strip_suffix('\r').unwrap_or(next).trim_start();
            let t = trailing_backslashes(segment);
            trailing = if t == segment.len() { trailing + t } else { t };
            logical.push_str(segment);
        }
        let body = logical.trim_start();
        if comment || body.is_empty() {
            out.push_str(&logical);
        } else {
            let (key, value) = split_property(body);
            out.push_str(&unescape(key));
            out.push('=');
            out.push_str(&unescape(value));
        }
        out.push('\n');
        for _ in 0..folded {
            out.push('\n');
        }
    }
    // `split` gives one part more than there are line ends: the last one's `\n` is not there.
    out.pop();
    out.into_bytes()
}

/// How many backslashes end a line (an odd number: it goes on on the next line).
fn trailing_backslashes(line: &str) -> usize {
    line.bytes().rev().take_while(|b| *b == b'\\').count()
}

/// A logical line's key and value, still escaped: the key ends at the first unescaped `=`,
/// `:` or blank; one `=` or `:` between blanks separates them.
fn split_property(line: &str) -> (&str, &str) {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'=' | b':' | b' ' | b'\t' | b'\x0c' => break,
            _ => i += 1,
        }
    }
    let i = i.min(b.len());
    let key = &line[..i];
    let mut rest = line[i..].trim_start_matches([' ', '\t', '\x0c']);
    if let Some(r) = rest.strip_prefix(['=', ':']) {
        rest = r.trim_start_matches([' ', '\t', '\x0c']);
    }
    (key, rest)
}

/// Java properties escapes decoded: `\uXXXX`, `\t` (and `\n`, `\r`, `\f` as a blank, so that
/// the line stays one line), `\x` as `x`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match u32::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| hex.len() == 4)
                {
                    Some(n) => {
                        for _ in 0..4 {
                            chars.next();
                        }
                        let c = char::from_u32(n).unwrap_or('\u{fffd}');
                        out.push(if c.is_control() { ' ' } else { c });
                    }
                    None => out.push('u'),
                }
            }
            Some('t' | 'n' | 'r' | 'f') => out.push(' '),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_not_secrets() {
        for p in [
            "${DB_PASS}",
            "$(cat /run/secret)",
            "xxxxxxxx",
            "<password>",
            "%PWD%",
            "********",
            "{{ .Values.db.password }}",
            "%(db_password)s",
            "your-password",
            "***",
            "",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        // Real words are default passwords, not placeholders.
        for p in [
            "Hx9!kq2Lm",
            "password",
            "changeme",
            "root",
            "123456",
            "secret",
        ] {
            assert!(!is_placeholder(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn continuations_count_backslashes_across_joined_lines() {
        // `a=x\` goes on; joined with `\\` it ends with two backslashes (even, an escaped
        // backslash), so the line ends there and `y` is a line of its own.
        let text = "a=x\\\n\\\\\n  y\nb=2\n";
        let out = String::from_utf8(decode_properties(text.as_bytes())).unwrap();
        assert_eq!(out.lines().next(), Some("a=x\\"), "{out:?}");
        assert!(out.contains("\ny=\n"), "{out:?}");
        assert!(out.contains("b=2"), "{out:?}");
        // Many lines of backslashes: each joined once, every line kept.
        let many = format!("a={}", "\\\\\\\n".repeat(1000));
        let out = decode_properties(many.as_bytes());
        assert_eq!(memchr::memchr_iter(b'\n', &out).count(), 1000);
    }

    #[test]
    fn properties_are_read_as_java_reads_them() {
        let text = "# a comment: key value\ndb.password  s3cret\ndb.user: his\n\\u0070assword=x1\nlong.pass\\\n    word = ab\\\n   cd\nnext=1\nlogin.password=\\u5bc6\\u7801\r\npath=C:\\\\his\n";
        let out = String::from_utf8(decode_properties(text.as_bytes())).unwrap();
        let lines: Vec<&str> = out.split('\n').collect();
        assert_eq!(lines[0], "# a comment: key value");
        assert_eq!(lines[1], "db.password=s3cret");
        assert_eq!(lines[2], "db.user=his");
        assert_eq!(lines[3], "password=x1");
        // A continued key and value: one logical line, the lines it took left empty.
        assert_eq!(lines[4], "long.password=abcd");
        assert_eq!(lines[5], "");
        assert_eq!(lines[6], "");
        assert_eq!(lines[7], "next=1");
        assert_eq!(lines[8], "login.password=\u{5bc6}\u{7801}");
        assert_eq!(lines[9], "path=C:\\his");
        assert_eq!(out.matches('\n').count(), text.matches('\n').count());
    }

    #[test]
    fn setting_names_and_labels_are_not_passwords() {
        use crate::scan::rules::SecretKind::{Key, Password};
        let code = FileClass::Code;
        let config = FileClass::Config;
        let pw = |class, key: &str, v: &str| {
            judge(Password, class, Some(key.as_bytes()), v.as_bytes(), 0.0)
        };
        assert_eq!(pw(code, "PASSWORD_KEY", "password"), None);
        assert_eq!(
            pw(
                code,
                "GP_PASSWORD_MINIMUM_LENGTH",
                "security.passwordMinimumLength"
            ),
            None
        );
        assert_eq!(pw(code, "TRUST_STORE_PASSWORD", "trustStorePassword"), None);
        assert_eq!(pw(code, "passwordType", "password"), None);
        assert_eq!(pw(config, "login.password", "\u{5bc6}\u{7801}"), None);
        assert_eq!(pw(config, "password", "Mot de passe"), None);
        assert_eq!(pw(config, "proxy.bypass", "localhost1"), None);
        // The same word in a deployment file is the default password.
        assert_eq!(pw(config, "COUCHDB_PASSWORD", "password"), Some(true));
        assert_eq!(pw(config, "MYSQL_ROOT_PASSWORD", "root"), Some(true));
        assert_eq!(pw(config, "dbpass", "Zk4v9QpL2mWx"), Some(false));
        assert_eq!(pw(code, "$db_pass", "his@2023"), Some(true));
        let key = |k: &str, v: &str| judge(Key, code, Some(k.as_bytes()), v.as_bytes(), 3.0);
        assert_eq!(key("apiKey", "\u{63a5}\u{53e3}\u{5bc6}\u{94a5}"), None);
        assert_eq!(key("ak", "Your Ak"), None);
        assert_eq!(key("id-token", "write"), None);
        assert_eq!(key("huaweicloud.sk", "q8Zr2LmW0xT5vN7kB3cY"), Some(false));
    }

    #[test]
    fn weak_passwords() {
        for w in ["Sa123456", "Abc@123456", "his888888"] {
            assert!(is_weak(w.as_bytes()), "{w}");
        }
        assert!(!is_weak(b"Xk9#123456Lm2Qr"));
        for w in [
            "123456",
            "admin123",
            "password1",
            "his@2023",
            "P@ssw0rd",
            "Hospital2024",
            "changeme",
            "qwertyuiop",
        ] {
            assert!(is_weak(w.as_bytes()), "{w}");
        }
        for s in ["Zk4v9QpL2mWx", "q8Zr2LmW0xT5", "Hx9!kq2Lm", "PXhRtygptip9"] {
            assert!(!is_weak(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn translation_catalogues() {
        for p in [
            "src/main/resources/messages_zh_CN.properties",
            "i18n/fr.json",
            "web/src/locales/en/common.ts",
            "conf/labels_zh.properties",
            "messages.properties",
        ] {
            assert!(is_translation_catalogue(p.as_bytes()), "{p}");
        }
        for p in [
            "conf/application.properties",
            "conf/jdbc_pg.properties",
            "conf/config_dev.properties",
            "src/main/java/com/his/lang/Db.java",
            "conf/jdbc_cn.properties",
            "conf/sms_message_gateway.properties",
            "app/lang/db.php",
            "web/locale/deploy.sh",
        ] {
            assert!(!is_translation_catalogue(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn redaction_hides_secrets_and_keeps_words() {
        let s = Scanner::new(&crate::scan::ScanConfig::default()).unwrap();
        let secret = format!("Zq{}x7", "k3".repeat(12));
        let line = format!("db.password=\"{secret}\" user=\"DefaultConnection\"");
        let shown = redact(&s, line.as_bytes(), None);
        assert!(!shown.contains(&secret), "{shown}");
        assert!(shown.contains(&fingerprint(secret.as_bytes())), "{shown}");
        assert!(shown.contains("DefaultConnection"), "{shown}");
    }
}
