//! Hashing and hex: the digests every layer names things by (SHA-256, and SM3 where Chinese
//! crypto assessments expect it), written as lower-case hex.
//!
//! A leaf module: it imports nothing from the crate.

use sha2::{Digest, Sha256};

/// Lower-case hex of bytes: two digits per byte, so 32 bytes give 64 characters.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Parse exactly 64 hex digits (either case) into the 32 bytes they spell; `None` for any other
/// length or a non-hex character. The inverse of [`hex`] on 32-byte digests.
pub fn parse_hex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// SHA-256 of bytes held in memory.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// SHA-256 of bytes held in memory, as 64 lower-case hex digits.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// SM3 (GB/T 32905) of bytes held in memory, as 64 lower-case hex digits.
pub fn sm3_hex(data: &[u8]) -> String {
    hex(&sm3::Sm3::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let d = sha256(b"abc");
        let h = hex(&d);
        assert_eq!(
            h,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(parse_hex32(&h), Some(d));
        assert_eq!(parse_hex32(&h.to_uppercase()), Some(d));
        assert_eq!(sha256_hex(b"abc"), h);
    }

    #[test]
    fn bad_hex_is_refused() {
        assert_eq!(parse_hex32(""), None);
        assert_eq!(parse_hex32(&"0".repeat(63)), None);
        assert_eq!(parse_hex32(&"g".repeat(64)), None);
        // A multi-byte character must not panic on a char boundary.
        assert_eq!(parse_hex32(&format!("é{}", "0".repeat(62))), None);
    }

    #[test]
    fn sm3_known_answer() {
        // GB/T 32905-2016, example 1.
        assert_eq!(
            sm3_hex(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    /// A leaf: nothing from the crate outside this file.
    #[test]
    fn imports_nothing_from_the_crate() {
        let text = include_str!("hash.rs");
        assert!(!text.contains(&format!("{}::", "crate")));
    }
}
