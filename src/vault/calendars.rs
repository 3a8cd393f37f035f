//! Holiday notices stored with the vault (`escrow calendar add`): `calendars/<sha256>.toml`,
//! write-once and named by the SHA-256 of their bytes, each announced by a "calendar" ledger
//! entry, so that every later `status` on the vault counts with the same notices.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::backend::{FileKind, Key};
use super::{Vault, VaultError};
use crate::hash::hex;

/// The largest notice stored: 256 KiB (a year's notice is about 2 KiB).
pub const MAX_NOTICE_BYTES: u64 = 256 * 1024;

impl Vault {
    /// `calendars/`: the holiday notices added to the vault.
    pub fn calendars_dir(&self) -> PathBuf {
        self.root.join("calendars")
    }

    /// Store a notice's bytes; returns their SHA-256 (hex), the file's name without `.toml`.
    /// Storing the same bytes twice is a no-op.
    ///
    /// Errors: I/O errors creating `calendars/` or writing the file.
    pub fn store_calendar(&self, bytes: &[u8]) -> Result<String, VaultError> {
        if bytes.len() as u64 > MAX_NOTICE_BYTES {
            return Err(VaultError::Invalid {
                message: format!(
                    "the holiday notice is {} bytes, more than the {MAX_NOTICE_BYTES} a notice needs",
                    bytes.len()
                ),
            });
        }
        let digest = hex(&Sha256::digest(bytes));
        self.require_current()?;
        self.create(
            &Key::content(FileKind::Calendar, &digest).expect("a SHA-256"),
            bytes,
        )?;
        Ok(digest)
    }

    /// The notice stored under `digest` (64 hex digits), as text, after checking its hash.
    ///
    /// Errors: `Corrupt` when the file is missing, not UTF-8, or its bytes do not hash to
    /// `digest`; I/O errors.
    pub fn load_calendar(&self, digest: &str) -> Result<String, VaultError> {
        if digest.len() != 64
            || !digest
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(VaultError::Corrupt {
                path: self.ledger_path(),
                message: format!(
                    "a calendar entry's digest {:?} is not 64 lower-case hex digits: the ledger was edited; run `escrow audit`",
                    crate::text::terminal_safe(&digest.chars().take(80).collect::<String>())
                ),
            });
        }
        let key = Key::content(FileKind::Calendar, digest).expect("checked above");
        let path = self.path_of(&key);
        let bytes = self
            .backend()
            .read(&key, MAX_NOTICE_BYTES)
            .map_err(|e| VaultError::Corrupt {
                path: path.clone(),
                message: format!(
                    "the holiday notice recorded in the ledger cannot be read ({e}); restore the vault from a copy, or add the notice again with `escrow calendar add FILE`"
                ),
            })?;
        if hex(&Sha256::digest(&bytes)) != digest {
            return Err(VaultError::Corrupt {
                path,
                message: "the stored holiday notice does not match its recorded SHA-256: it was changed after it was added; restore the vault from a copy".to_owned(),
            });
        }
        String::from_utf8(bytes).map_err(|_| VaultError::Corrupt {
            path,
            message: "the stored holiday notice is not UTF-8 text".to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_once_and_checked_on_reading() {
        let tmp = tempfile::tempdir().unwrap();
        let (v, _) = Vault::init(&tmp.path().join("v")).unwrap();
        let text = b"schema_version = 1\n";
        let d = v.store_calendar(text).unwrap();
        assert_eq!(v.store_calendar(text).unwrap(), d);
        assert_eq!(v.load_calendar(&d).unwrap().as_bytes(), text);
        std::fs::write(v.calendars_dir().join(format!("{d}.toml")), b"changed").unwrap();
        assert!(
            v.load_calendar(&d)
                .unwrap_err()
                .to_string()
                .contains("SHA-256")
        );
        assert!(v.load_calendar(&"0".repeat(64)).is_err());
    }
}
