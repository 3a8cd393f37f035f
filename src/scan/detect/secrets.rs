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
    let store = matches!(
        file.ext.as_str(),
        "p12" | "pfx" | "jks" | "jceks" | "keystore" | "bks"
    );
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

/// Values that are obviously not real secrets: empty-ish, repeated characters, templates.
pub(in crate::scan) fn is_placeholder(v: &[u8]) -> bool {
    const WORDS: &[&str] = &[
        "password",
        "passwd",
        "changeme",
        "change_me",
        "yourpassword",
        "your_password",
        "your-password",
        "example",
        "placeholder",
        "secret",
        "null",
        "none",
        "true",
        "false",
        "undefined",
        "string",
        "empty",
        "todo",
        "xxx",
        "******",
        "redacted",
    ];

    let s = String::from_utf8_lossy(v).to_lowercase();
    let s = s.trim();
    if s.is_empty() {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if s.chars().all(|c| c == first) {
        return true;
    }

    WORDS.contains(&s)
        || s.starts_with('$')
        || s.starts_with("#{")
        || s.starts_with("{{")
        || s.starts_with('<')
        || s.starts_with('%') && s.ends_with('%')
        || s.starts_with("process.env")
        || s.starts_with("os.environ")
        || s.starts_with("system.getenv")
        || s.starts_with("getenv")
        || s.starts_with("env.")
        || s.starts_with("env(")
        || s.contains("xxxx")
        || s.contains("****")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_not_secrets() {
        for p in [
            "${DB_PASS}",
            "$(cat /run/secret)",
            "changeme",
            "xxxxxxxx",
            "<password>",
            "%PWD%",
            "********",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        assert!(!is_placeholder(b"Hx9!kq2Lm"));
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
