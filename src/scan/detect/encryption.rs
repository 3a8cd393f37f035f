//! Encryption (`file-encrypted`, `archive-encrypted`): OpenSSL, age and PGP files, password
//! protected Office documents and PDFs, text files whose bytes (or whose base64, decoded) are
//! indistinguishable from random data, and encrypted archives inside the delivery.

use super::LineCode;
use crate::filetypes::Magic;
use crate::finding::Finding;
use crate::scan::inspect::{FileScan, contains};
use crate::scan::post::MAX_EVIDENCE;

/// How the line engine treats rules giving `file-encrypted` (encrypted-file markers in text):
/// once per file, in third-party code too.
pub(super) const LINE: LineCode = LineCode {
    code: "file-encrypted",
    once_per_file: true,
    skip_third_party: false,
    text: |en, zh| (en.to_owned(), zh.to_owned()),
};

/// `file-encrypted`: known encrypted containers, and text files whose bytes look random.
pub(in crate::scan) fn encrypted_content(file: &FileScan<'_>, magic: Magic) -> Option<Finding> {
    let head = &file.head;
    let what: Option<(&str, &str, &str, String)> = if head.starts_with(b"Salted__") {
        Some((
            "openssl-salted",
            "OpenSSL-encrypted data (\"Salted__\" header)",
            "OpenSSL 加密数据（Salted__ 头）",
            "header: Salted__".to_owned(),
        ))
    } else if head.starts_with(b"age-encryption.org/v1") {
        Some((
            "age-encrypted",
            "age-encrypted file",
            "age 加密文件",
            "header: age-encryption.org/v1".to_owned(),
        ))
    } else if matches!(file.ext.as_str(), "gpg" | "pgp")
        && head
            .first()
            .is_some_and(|b| matches!(b, 0x84 | 0x85 | 0x8c | 0xc1 | 0xc3))
    {
        Some((
            "pgp-binary",
            "PGP-encrypted file",
            "PGP 加密文件",
            format!("packet tag 0x{:02x}", head[0]),
        ))
    } else if magic == Magic::Cfb && contains(&file.body, &utf16le("EncryptionInfo")) {
        Some((
            "office-encrypted",
            "password-protected Office document (encrypted OOXML)",
            "有密码保护的 Office 文档（加密的 OOXML）",
            "compound file with an EncryptionInfo stream".to_owned(),
        ))
    } else if magic == Magic::Pdf && contains(&file.tail, b"/Encrypt") {
        Some((
            "pdf-encrypted",
            "encrypted PDF (it has an /Encrypt dictionary)",
            "加密的 PDF（含 /Encrypt 字典）",
            "trailer: /Encrypt".to_owned(),
        ))
    } else if file.declared_text
        && magic == Magic::Unknown
        // ASN.1 DER (certificates, keys): structured, not random.
        && !(head.len() > 2 && head[0] == 0x30 && (0x80..=0x84).contains(&head[1]))
        && file.seen >= 256
        && !file.plainly_not_random
        && let (entropy, chi2) = randomness(&file.histogram, file.counted)
        && entropy >= 7.2
        && chi2 < 400.0
    {
        Some((
            "random-content",
            "a text or source file whose content is indistinguishable from random data (encrypted?)",
            "文本或源代码文件的内容与随机数据无法区分（已加密？）",
            format!(
                "{} bytes, entropy {entropy:.3} bits/byte, chi-square {chi2:.0} (random data: about 255; text and compressed data: far higher)",
                file.seen
            ),
        ))
    } else if file.declared_text
        && magic == Magic::Unknown
        && let Some(evidence) = base64_random(file)
    {
        Some((
            "base64-random-content",
            "a text file holding base64 whose decoded bytes are indistinguishable from random data (an encrypted licence or configuration?)",
            "文本文件内容为 Base64，解码后与随机数据无法区分（加密的许可文件或配置？）",
            evidence,
        ))
    } else {
        disguised_random(file, magic)
    };
    let (rule, en, zh, evidence) = what?;
    let mut f = Finding::of(
        crate::scan::codes::ScanCode::FileEncrypted,
        format!("{en}: the hospital cannot read or change it without the key"),
        format!("{zh}：没有密钥医院无法阅读或修改"),
    )
    .path(file.display())
    .rule(rule)
    .evidence(vec![evidence]);
    if rule == "random-content-unnamed" {
        f.severity = crate::finding::Severity::Warn;
    }
    Some(f)
}

/// Extensions of image formats, every one of which starts with its signature.
const IMAGE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "bmp", "ico", "webp", "tif", "tiff",
];

/// Extensions that say nothing of the content (and no extension).
const OPAQUE_EXTENSIONS: &[&str] = &["", "dat", "bin", "data", "raw", "db", "tmp"];

/// Signatures of formats `magic_of` does not tell apart, whose bytes after a short header may
/// look random: LZMA, LZ4, lzip, Snappy, cabinet, TIFF, BMP, ICO, JPEG 2000.
fn other_known_format(head: &[u8]) -> bool {
    const SIGNATURES: &[&[u8]] = &[
        &[0x5d, 0, 0],
        &[0x04, 0x22, 0x4d, 0x18],
        b"LZIP",
        b"\xff\x06\x00\x00sNaPpY",
        b"MSCF",
        b"II*\0",
        b"MM\0*",
        b"BM",
        &[0, 0, 1, 0],
        &[0, 0, 0, 0x0c, b'j', b'P'],
    ];
    SIGNATURES.iter().any(|s| head.starts_with(s))
}

/// A file named as an image (or with a name that says nothing) whose bytes are random and match
/// no known format: an image always starts with its signature, so random bytes under an
/// image's name are disguised, most likely encrypted. Under `.dat`, `.bin` or no extension the
/// bytes could also be a compressed format without a signature (raw deflate, brotli): a warning.
fn disguised_random(
    file: &FileScan<'_>,
    magic: Magic,
) -> Option<(&'static str, &'static str, &'static str, String)> {
    let image = IMAGE_EXTENSIONS.contains(&file.ext.as_str());
    if file.declared_text
        || magic != Magic::Unknown
        || !(image || OPAQUE_EXTENSIONS.contains(&file.ext.as_str()))
        || file.seen < 1024
        || file.plainly_not_random
        || other_known_format(&file.head)
    {
        return None;
    }
    let (entropy, chi2) = randomness(&file.histogram, file.counted);
    if entropy < 7.2 || chi2 >= 400.0 {
        return None;
    }
    let evidence = format!(
        "{} bytes, no known file signature, entropy {entropy:.3} bits/byte, chi-square {chi2:.0} (random data: about 255)",
        file.seen
    );
    Some(if image {
        (
            "random-content-disguised",
            "a file named as an image whose bytes are no image but indistinguishable from random data (encrypted content under a harmless name?)",
            "以图片命名的文件，内容不是图片，而是与随机数据无法区分的字节（以无害名称掩盖的加密内容？）",
            evidence,
        )
    } else {
        (
            "random-content-unnamed",
            "a data file whose bytes match no known format and are indistinguishable from random data (encrypted?)",
            "数据文件的内容不属于任何已知格式，且与随机数据无法区分（已加密？）",
            evidence,
        )
    })
}

/// A text file that is one base64 blob (wrapped lines allowed) decoding to random bytes.
fn base64_random(file: &FileScan<'_>) -> Option<String> {
    const SAMPLE: usize = 64 << 10;
    let body = &file.body;
    let is_b64 = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
    let allowed = |b: &u8| is_b64(b) || matches!(b, b'\n' | b'\r');
    if body.len() < 700 || !body.iter().take(SAMPLE).all(allowed) {
        return None;
    }
    let mut histogram = [0u64; 256];
    let mut n = 0u64;
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in body.iter().take(SAMPLE) {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        // At most 13 pending bits: keep only those.
        acc = ((acc << 6) | u32::from(v)) & 0x3fff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            histogram[usize::from((acc >> bits).to_le_bytes()[0])] += 1;
            n += 1;
        }
    }
    if n < 512 {
        return None;
    }
    let (entropy, chi2) = randomness(&histogram, n);
    (entropy >= 7.2 && chi2 < 400.0).then(|| {
        format!(
            "{} bytes of base64 decode to {n} bytes (sampled) with entropy {entropy:.3} bits/byte, chi-square {chi2:.0} (random data: about 255)",
            file.seen
        )
    })
}

/// `archive-encrypted`: a password-protected archive inside the delivery (`kind`: "zip", "7z",
/// "RAR"), listing up to ten of its encrypted `entries`.
pub(in crate::scan) fn encrypted_archive(display: &str, kind: &str, entries: &[String]) -> Finding {
    let mut ev: Vec<String> = entries.iter().take(MAX_EVIDENCE).cloned().collect();
    if entries.len() > MAX_EVIDENCE {
        ev.push(format!(
            "… and {} more encrypted entries",
            entries.len() - MAX_EVIDENCE
        ));
    }
    if ev.is_empty() {
        ev.push(format!("{kind} archive with encrypted content or headers"));
    }
    Finding::of(
        crate::delivery::codes::DeliveryCode::ArchiveEncrypted,
        format!("password-protected {kind} archive inside the delivery: its content cannot be checked or used without the password"),
        format!("交付物中有密码保护的 {kind} 压缩包：没有密码无法检查或使用其内容"),
    )
    .path(display.to_owned())
    .rule("nested-archive")
    .evidence(ev)
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Shannon entropy (bits per byte) and the chi-square statistic against a uniform distribution
/// (255 degrees of freedom: random data gives about 255 ± 23; text and most compressed formats
/// give thousands).
pub(in crate::scan) fn randomness(histogram: &[u64; 256], n: u64) -> (f64, f64) {
    let total = n as f64;
    let expected = total / 256.0;
    let mut entropy = 0.0;
    let mut chi2 = 0.0;
    for &c in histogram {
        let c = c as f64;
        if c > 0.0 {
            let p = c / total;
            entropy -= p * p.log2();
        }
        chi2 += (c - expected) * (c - expected) / expected;
    }
    (entropy, chi2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn randomness_separates_random_from_text() {
        let mut h = [0u64; 256];
        // A simple LCG stands in for random bytes.
        let mut x: u32 = 12345;
        let n = 65536u64;
        for _ in 0..n {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            h[usize::from(x.to_be_bytes()[1])] += 1;
        }
        let (e, chi) = randomness(&h, n);
        assert!(e > 7.9 && chi < 400.0, "{e} {chi}");
        let text = b"fn main() { println!(\"hello\"); }\n".repeat(2000);
        let mut h = [0u64; 256];
        for &b in &text {
            h[usize::from(b)] += 1;
        }
        let (e, chi) = randomness(&h, text.len() as u64);
        assert!(e < 5.0 && chi > 10_000.0);
    }

    #[test]
    fn encrypted_archive_lists_entries() {
        let entries: Vec<String> = (0..12).map(|i| format!("f{i}")).collect();
        let f = encrypted_archive("a.zip", "zip", &entries);
        assert_eq!(f.code, "archive-encrypted");
        assert_eq!(f.evidence.len(), MAX_EVIDENCE + 1);
        assert_eq!(f.evidence[MAX_EVIDENCE], "… and 2 more encrypted entries");
    }
}
