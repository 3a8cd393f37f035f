//! Helpers: run the binary, build deliveries in temporary folders.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const FIXED_NOW: &str = "2026-03-10T09:00:00Z";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn sample() -> PathBuf {
    repo().join("fixtures/deliveries/his-sample")
}

pub fn chaoyang() -> PathBuf {
    repo().join("manifests/chaoyang-his.toml")
}

/// What a run of the binary gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// The binary with a fixed clock, English, no colour, and no vault from the environment.
pub fn escrow_command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_escrow"));
    cmd.env("ESCROW_NOW", FIXED_NOW)
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("ESCROW_VAULT")
        .env("NO_COLOR", "1");
    cmd
}

/// Run escrow with `ESCROW_NOW=now` (RFC 3339) and `ESCROW_VAULT=vault`.
pub fn at(now: &str, vault: &Path, args: &[&str]) -> Run {
    let mut cmd = escrow_command();
    cmd.env("ESCROW_NOW", now)
        .env("ESCROW_VAULT", vault)
        .args(args);
    run(cmd)
}

/// Run `escrow ARGS` (see `escrow_command`).
pub fn escrow<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = escrow_command();
    cmd.args(args);
    run(cmd)
}

/// Run a command to its end, but never longer than two minutes: a hang (a FIFO opened by
/// mistake, a lock never released) fails the test instead of stalling the suite.
pub fn run(mut cmd: Command) -> Run {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start escrow");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        out.read_to_end(&mut s).map(|_| s)
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        err.read_to_end(&mut s).map(|_| s)
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("escrow did not finish within 120 s: {cmd:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out_t.join().unwrap().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_t.join().unwrap().unwrap()).into_owned(),
    }
}

/// `escrow check DIR --manifest M --format json`.
pub fn check_json(dir: &Path, manifest: &Path) -> Run {
    let run = escrow([
        "check".as_ref(),
        dir.as_os_str(),
        "--manifest".as_ref(),
        manifest.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_ne!(run.code, 2, "runtime error: {}", run.stderr);
    run
}

/// Copy a tree (files, folders; no links in the sample) into a new temporary folder.
pub fn copy_sample() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&sample(), tmp.path());
    tmp
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn write(root: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

/// Write a manifest file into `dir` and return its path.
pub fn manifest(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("manifest.toml");
    std::fs::write(&p, text).unwrap();
    p
}

/// The finding codes of a JSON report, sorted.
pub fn codes(report: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

/// The findings with a given code.
pub fn with_code<'a>(report: &'a serde_json::Value, code: &str) -> Vec<&'a serde_json::Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

/// A requirement result by id.
pub fn requirement<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no requirement {id}"))
}

/// A zip written byte by byte (stored entries), to control names and flags exactly.
pub fn raw_zip(entries: &[(&[u8], &[u8], u16)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data, flags) in entries {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let offset = out.len() as u32;
        let fields = |sig: &[u8], central: bool| {
            let mut v = sig.to_vec();
            if central {
                v.extend_from_slice(&20u16.to_le_bytes());
            }
            v.extend_from_slice(&20u16.to_le_bytes());
            v.extend_from_slice(&flags.to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // stored
            v.extend_from_slice(&[0, 0, 0x21, 0]); // time, date
            v.extend_from_slice(&crc.sum().to_le_bytes());
            v.extend_from_slice(&(data.len() as u32).to_le_bytes());
            v.extend_from_slice(&(data.len() as u32).to_le_bytes());
            v.extend_from_slice(&(name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes());
            if central {
                v.extend_from_slice(&[0; 6]); // comment len, disk, internal attrs
                v.extend_from_slice(&0u32.to_le_bytes()); // external attrs
                v.extend_from_slice(&offset.to_le_bytes());
            }
            v.extend_from_slice(name);
            v
        };
        out.extend(fields(b"PK\x03\x04", false));
        out.extend_from_slice(data);
        central.extend(fields(b"PK\x01\x02", true));
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A manifest of one module holding every file (`paths = ["**"]`): the scan tests' manifest.
pub const MODULE_MANIFEST: &str =
    "schema-version = 1\n[[module]]\nid = \"app\"\nname = \"App\"\npaths = [\"**\"]\n";

/// Letters and digits that are not easily confused.
pub const ALNUM: &str = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A small deterministic generator (xorshift): secrets, names and random bytes made at test
/// time, so that no secret-looking literal is in the repository.
pub struct Gen(pub u64);

impl Gen {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next() >> 24) as u8).collect()
    }
    pub fn chars(&mut self, alphabet: &str, n: usize) -> String {
        let a: Vec<char> = alphabet.chars().collect();
        (0..n)
            .map(|_| a[(self.next() % a.len() as u64) as usize])
            .collect()
    }
    /// `n` letters and digits.
    pub fn word(&mut self, n: usize) -> String {
        self.chars(ALNUM, n)
    }
    /// A strong password: letters, digits and a symbol.
    pub fn password(&mut self) -> String {
        format!(
            "{}{}{}",
            self.chars("ABCDEFGHJKLMNPQRSTUVWXYZ", 2),
            self.chars(ALNUM, 10),
            self.chars("!#%*", 1)
        )
    }
}

/// A raw ustar header block for tar archives the `tar` crate's builder would refuse to write:
/// `name`, `size` in octal, entry type `kind`, link name `link`; GNU tar's magic when `gnu`.
pub fn raw_tar_header(name: &[u8], size: u64, kind: u8, link: &[u8], gnu: bool) -> Vec<u8> {
    let mut h = vec![0u8; 512];
    h[..name.len()].copy_from_slice(name);
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    h[136..148].copy_from_slice(b"00000000000\0");
    h[156] = kind;
    h[157..157 + link.len()].copy_from_slice(link);
    if gnu {
        h[257..265].copy_from_slice(b"ustar  \0");
    } else {
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
    }
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

/// One PAX record, `"<len> key=value\n"`, its length counting itself.
pub fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    let body = key.len() + value.len() + 3;
    let mut len = body + body.to_string().len();
    len = body + len.to_string().len();
    let mut r = format!("{len} {key}=").into_bytes();
    r.extend_from_slice(value);
    r.push(b'\n');
    assert_eq!(r.len(), len);
    r
}

/// A `.docx`-shaped zip holding `parts`, each about `size` bytes, stored: an Office package as
/// far as the document checks look (`ooxml(&["[Content_Types].xml", "word/document.xml"],
/// 2000)` is a Word document of some 2 KB whose text is "门诊" repeated, about `size / 3`
/// words). Each part holds one Word paragraph of that text.
pub fn ooxml(parts: &[&str], size: usize) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for p in parts {
        w.start_file(*p, stored).unwrap();
        w.write_all(
            format!(
                r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>"#,
                "门诊".repeat(size.saturating_sub(140) / 6)
            )
            .as_bytes(),
        )
        .unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A Word document of about `size` bytes (see [`ooxml`]).
pub fn docx(size: usize) -> Vec<u8> {
    ooxml(&["[Content_Types].xml", "word/document.xml"], size)
}

/// A small valid manifest: a contract id and one module, `core/**`.
pub const GOOD_MANIFEST: &str = r#"schema-version = 1

[contract]
id = "HT-1"

[[module]]
id = "core"
name = "核心"
paths = ["core/**"]
"#;
