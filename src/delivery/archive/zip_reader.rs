//! Zip archives, read as Info-ZIP `unzip` reads them: every record of the central directory,
//! in order (a name delivered twice reaches the unpacker twice), under its central name, its
//! data as its local header describes it (method, sizes and CRC; the central record's sizes
//! and CRC when the local header leaves them to a data descriptor); each entry's data is
//! decompressed by the `zip` crate's streaming reader. Entries that other tools read
//! differently (a local header that disagrees with its central record, a folder entry carrying
//! data, a backslash that `unzip` keeps in a name but Windows tools take as a separator) are
//! `archive-ambiguous`.

use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};

use super::{Counting, DeliveryError, MAX_NAME, Unpacker, names};
use crate::delivery::codes::DeliveryCode;
use crate::finding::Finding;

mod central;

use self::central::{DataSpec, Local, Record};

/// The most `archive-ambiguous` findings listed one by one; the rest are counted in one more.
const MAX_AMBIGUOUS: usize = 20;

/// The hosts whose entries' external attributes carry a Unix mode for `unzip` (VMS, Unix,
/// Atari ST, QDOS, Acorn RISC OS, BeOS, Tandem, OS/400, AtheOS): checked on UnZip 6.00.
const MODE_HOSTS: [u8; 9] = [2, 3, 5, 12, 13, 16, 17, 18, 30];
/// The hosts whose entries with a symbolic-link mode `unzip` makes links of (VMS, Unix,
/// Atari ST, BeOS, AtheOS); it makes regular files of the others'.
const LINK_HOSTS: [u8; 5] = [2, 3, 5, 16, 30];
/// The VMS host: its "version needed to extract" is compared with `unzip`'s VMS version.
const HOST_VMS: u8 = 2;
/// The compression methods UnZip 6.00 (Debian) extracts: stored, shrunk, imploded, deflated,
/// deflate64, bzip2. It skips entries of any other method (reduce, LZMA, zstd, xz, PPMd...).
const UNZIP_METHODS: [u16; 6] = [0, 1, 6, 8, 9, 12];
/// The highest "version needed to extract" UnZip 6.00 accepts (4.6; 4.2 for VMS rules).
const UNZIP_VERSION: u8 = 46;
const UNZIP_VMS_VERSION: u8 = 42;
/// The MS-DOS (FAT) host.
const HOST_DOS: u8 = 0;

/// Hand every entry of the zip archive read by `reader` to `u`, in central-directory order.
pub(super) fn unpack_zip(
    u: &mut Unpacker<'_>,
    mut reader: BufReader<Counting<'_>>,
) -> Result<(), DeliveryError> {
    let unreadable = |u: &Unpacker<'_>, e: io::Error| {
        u.err(format!(
            "not a readable zip archive ({e}); ask the vendor for a sound archive"
        ))
    };
    let len = reader
        .seek(SeekFrom::End(0))
        .map_err(|e| unreadable(u, e))?;
    let records = central::read_directory(&mut reader, len, u.limits.max_files)
        .map_err(|e| unreadable(u, e))?;
    check_declared(u, &records)?;
    let mut encrypted = Vec::new();
    let mut ambiguous = Ambiguous::default();
    for rec in &records {
        let kept = chosen_name(rec);
        let name = drop_controls(&kept);
        if name != kept {
            controls(&kept, &name, &mut ambiguous);
        }
        if rec.flags & 1 != 0 {
            u.count()?;
            encrypted.push(names::short(&name));
            continue;
        }
        if let Some(why) = not_extracted(rec) {
            u.count()?;
            skipped(&name, &why, &mut ambiguous);
            continue;
        }
        backslash(rec, &name, &mut ambiguous);
        let local = central::read_local(&mut reader, rec, len).map_err(|e| {
            u.err(format!(
                "entry {:?} cannot be read ({e}); ask the vendor for a sound archive",
                names::short(&name)
            ))
        })?;
        compare_local(rec, &local, &name, &mut ambiguous);
        if name.last() == Some(&b'/') {
            hidden_in_folder(rec, &local, &name, &mut ambiguous);
            u.dir(&name)?;
            continue;
        }
        entry(u, &mut reader, rec, &local, &name)?;
    }
    if !encrypted.is_empty() {
        u.push_finding(
            Finding::of(
                DeliveryCode::ArchiveEncrypted,
                format!("{} entries are password-protected; they were not unpacked, and the contract forbids encryption", encrypted.len()),
                format!("{} 个条目设有密码保护，未能解压；合同禁止加密", encrypted.len()),
            )
            .evidence(encrypted.into_iter().take(50).collect()),
        );
    }
    ambiguous.report(u);
    Ok(())
}

/// Refuse, before reading any data, an archive whose records announce more than the limits
/// allow (the unpacker still counts what is really written: headers are not trusted).
fn check_declared(u: &Unpacker<'_>, records: &[Record]) -> Result<(), DeliveryError> {
    let declared = records
        .iter()
        .filter(|r| r.flags & 1 == 0)
        .fold(0u64, |sum, r| sum.saturating_add(r.usize));
    if declared > u.limits.max_bytes {
        return Err(u.err(format!(
            "unpacks to more than {} bytes (its central directory says {declared}); raise --max-bytes if it is genuine",
            u.limits.max_bytes
        )));
    }
    if declared
        > u.archive_len
            .saturating_mul(u.limits.max_ratio)
            .max(1 << 20)
    {
        return Err(u.err(format!(
            "unpacks to more than {} times its size (its central directory says {declared} bytes): a decompression bomb; raise --max-ratio if it is genuine",
            u.limits.max_ratio
        )));
    }
    Ok(())
}

/// Hand one file or link entry to the unpacker, its data read as `unzip` reads it (see
/// [`DataSpec::of`]).
fn entry(
    u: &mut Unpacker<'_>,
    reader: &mut BufReader<Counting<'_>>,
    rec: &Record,
    local: &Local,
    name: &[u8],
) -> Result<(), DeliveryError> {
    let cannot = |u: &Unpacker<'_>, e: &dyn std::fmt::Display| {
        u.err(format!(
            "entry {:?} cannot be read ({e}); ask the vendor for a sound archive",
            names::short(name)
        ))
    };
    central::seek_to(reader, local.data_start).map_err(|e| cannot(u, &e))?;
    let spec = DataSpec::of(rec, local);
    let mut stream = Cursor::new(spec.header()).chain(reader.by_ref().take(spec.csize));
    let mut f = match zip::read::read_zipfile_from_stream(&mut stream) {
        Ok(Some(f)) => f,
        Ok(None) => return Err(cannot(u, &"no data")),
        Err(e) => return Err(cannot(u, &e)),
    };
    let mode = if MODE_HOSTS.contains(&rec.host) && rec.external >> 16 != 0 {
        rec.external >> 16
    } else {
        0o644
    };
    if LINK_HOSTS.contains(&rec.host) && mode & 0o170_000 == 0o120_000 {
        let mut t = Vec::new();
        f.by_ref()
            .take(MAX_NAME as u64 + 1)
            .read_to_end(&mut t)
            .map_err(|e| cannot(u, &e))?;
        u.link(name, &t)
    } else {
        u.file(name, mode, &mut f)
    }
}

/// Why UnZip 6.00 skips an entry ("skipping: NAME unsupported compression method 93", "need
/// PK compat. v6.3 (can do v4.6)"), if it does.
fn not_extracted(rec: &Record) -> Option<String> {
    let [version, rules] = rec.version_needed.to_le_bytes();
    let can = if rules == HOST_VMS {
        UNZIP_VMS_VERSION
    } else {
        UNZIP_VERSION
    };
    if version > can {
        return Some(format!(
            "it needs zip version {}.{} to be extracted (Info-ZIP unzip 6.0 can do {}.{})",
            version / 10,
            version % 10,
            can / 10,
            can % 10
        ));
    }
    if !UNZIP_METHODS.contains(&rec.method) {
        let known = match rec.method {
            2..=5 => " (reduce)",
            14 => " (LZMA)",
            93 => " (Zstandard)",
            95 => " (xz)",
            98 => " (PPMd)",
            _ => "",
        };
        return Some(format!(
            "it is compressed with method {}{known}, which Info-ZIP unzip 6.0 cannot extract",
            rec.method
        ));
    }
    None
}

/// An entry `unzip` skips (see [`not_extracted`]): escrow skips it too, and says that tools
/// which can extract it (7-Zip, for one) give a file the hospital's `unzip` does not.
fn skipped(name: &[u8], why: &str, amb: &mut Ambiguous) {
    let shown = names::short(name);
    amb.push(
        name,
        format!("the zip entry {shown:?} cannot be extracted by Info-ZIP unzip: {why}. unzip skips it (and so did escrow); other tools such as 7-Zip may unpack it; ask the vendor for an archive made with deflate"),
        format!("Info-ZIP unzip 无法解压 zip 条目 {shown:?}：{why}。unzip 会跳过该条目（escrow 同样跳过）；7-Zip 等其他工具可能会解出该文件；请要求供应商提供使用 deflate 压缩的归档"),
        vec![format!("unzip skips: {shown}"), why.to_owned()],
    );
}

/// The name `unzip` gives an entry: [`chosen_name`] without its control characters.
#[cfg(test)]
fn unzip_name(rec: &Record) -> Vec<u8> {
    drop_controls(&chosen_name(rec))
}

/// `name` without the control characters (0x01-0x1F, 0x7F) that `unzip` drops from names
/// (`src/Core.ja\x01va` is written as `src/Core.java`).
fn drop_controls(name: &[u8]) -> Vec<u8> {
    name.iter()
        .copied()
        .filter(|&b| b >= 0x20 && b != 0x7f)
        .collect()
}

/// A name holding control characters: `unzip` drops them (and escrow checked that name),
/// other tools keep them.
fn controls(kept: &[u8], name: &[u8], amb: &mut Ambiguous) {
    let shown = names::short(name);
    let with = names::short(kept);
    amb.push(
        name,
        format!("the zip entry name {with:?} holds control characters: Info-ZIP unzip drops them and writes {shown:?} (escrow checked that name), other tools keep them"),
        format!("zip 条目名称 {with:?} 含控制字符：Info-ZIP unzip 会删除这些字符并写出 {shown:?}（escrow 检查的是该名称），其他工具则保留它们"),
        vec![format!("recorded: {with}"), format!("unzip: {shown}")],
    );
}

/// The name an entry is given before control characters are dropped: the Unicode Path extra
/// field's when its CRC matches, else the recorded bytes read as UTF-8, GBK or CP437 (see
/// [`zip_name`]); an MS-DOS entry with no `/` has its backslashes read as separators.
fn chosen_name(rec: &Record) -> Vec<u8> {
    let mut name = match &rec.unicode_name {
        Some(n) => n.clone(),
        None => zip_name(&rec.name),
    };
    if rec.host == HOST_DOS && !name.contains(&b'/') {
        for b in &mut name {
            if *b == b'\\' {
                *b = b'/';
            }
        }
    }
    name
}

/// A zip entry's name: its bytes when they are UTF-8 (whether or not the entry carries the
/// UTF-8 flag: Info-ZIP on Linux writes UTF-8 without it, and GBK names are almost never valid
/// UTF-8); otherwise CP936/GBK when that decodes cleanly (what Chinese Windows tools write),
/// else the CP437 reading.
fn zip_name(raw: &[u8]) -> Vec<u8> {
    if std::str::from_utf8(raw).is_ok() {
        return raw.to_vec();
    }
    if let Some(gbk) = encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(raw) {
        return gbk.into_owned().into_bytes();
    }
    cp437(raw).into_bytes()
}

/// The upper half of code page 437 (the lower half is ASCII).
const CP437_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";

fn cp437(raw: &[u8]) -> String {
    raw.iter()
        .map(|&b| {
            if b < 0x80 {
                char::from(b)
            } else {
                CP437_HIGH.chars().nth(usize::from(b - 0x80)).unwrap_or('?')
            }
        })
        .collect()
}

/// Entries read differently by different tools, reported once the archive is read.
#[derive(Default)]
struct Ambiguous {
    /// (the entry's name, English message, Chinese message, evidence).
    found: Vec<(Vec<u8>, String, String, Vec<String>)>,
    more: u64,
}

impl Ambiguous {
    fn push(&mut self, name: &[u8], en: String, zh: String, evidence: Vec<String>) {
        if self.found.len() < MAX_AMBIGUOUS {
            self.found.push((name.to_vec(), en, zh, evidence));
        } else {
            self.more += 1;
        }
    }

    fn report(self, u: &mut Unpacker<'_>) {
        for (name, en, zh, evidence) in self.found {
            let rel = super::safe_name(&name).unwrap_or(name);
            u.push_finding(
                Finding::of(DeliveryCode::ArchiveAmbiguous, en, zh)
                    .path(names::short(&rel))
                    .covers(vec![names::display(&rel)])
                    .evidence(evidence),
            );
        }
        if self.more > 0 {
            let n = self.more;
            u.push_finding(Finding::of(
                DeliveryCode::ArchiveAmbiguous,
                format!("{n} more zip entries are read differently by different unpacking tools"),
                format!("另有 {n} 个 zip 条目会被不同解压工具解读成不同内容"),
            ));
        }
    }
}

/// A Unix-made entry whose name holds `\`: `unzip` keeps it as a character of the file name,
/// Windows Explorer and 7-Zip make folders of it (and so does escrow).
fn backslash(rec: &Record, name: &[u8], amb: &mut Ambiguous) {
    if !name.contains(&b'\\') {
        return;
    }
    let shown = names::short(name);
    let as_folders: Vec<u8> = name
        .iter()
        .map(|&b| if b == b'\\' { b'/' } else { b })
        .collect();
    let folders = names::short(&as_folders);
    amb.push(
        &as_folders,
        format!("the zip entry {shown:?} holds a backslash: Info-ZIP unzip makes one file of that name, Windows Explorer and 7-Zip make folders ({folders}); escrow checked the folders"),
        format!("zip 条目 {shown:?} 的名称含反斜杠：Info-ZIP unzip 解出为一个同名文件，Windows 资源管理器和 7-Zip 则解出为目录（{folders}）；escrow 检查的是目录形式"),
        vec![
            format!("unzip: {shown}"),
            format!("Windows Explorer, 7-Zip: {folders}"),
            format!("made on host {}", rec.host),
        ],
    );
}

/// A folder entry that carries data (a size above zero): `unzip` makes the folder and skips the
/// data, a streaming
/// reader given another local name (or a tool that takes the data) gets a file escrow never
/// saw.
fn hidden_in_folder(rec: &Record, local: &Local, name: &[u8], amb: &mut Ambiguous) {
    // Uncompressed sizes: a compressed empty stream (two bytes of deflate) is no data.
    let size = DataSpec::of(rec, local).usize.max(rec.usize);
    if size == 0 {
        return;
    }
    let shown = names::short(name);
    amb.push(
        name,
        format!("the zip folder entry {shown:?} carries {size} bytes of data: Info-ZIP unzip makes the folder and skips them (as escrow did); other tools may unpack them as a file"),
        format!("zip 目录条目 {shown:?} 携带 {size} 字节数据：Info-ZIP unzip 只创建目录并跳过这些数据（escrow 同样如此）；其他工具可能将其解出为文件"),
        vec![format!("folder: {shown}"), format!("data: {size} bytes")],
    );
}

/// A local header that disagrees with its central record. A different name: `unzip` (and
/// escrow) take the central one, streaming readers (Java's `ZipInputStream`, `bsdtar`) the
/// local one. A different method, or (when the local header carries them, no data descriptor)
/// sizes or CRC: `unzip` and streaming readers (and escrow) read the data as the local header
/// says, tools that read the central directory (7-Zip, Python's `zipfile`, Java's `ZipFile`)
/// as the central record says.
fn compare_local(rec: &Record, local: &Local, name: &[u8], amb: &mut Ambiguous) {
    let shown = names::short(name);
    if local.name != rec.name {
        let central = names::short(&zip_name(&rec.name));
        let streamed = names::short(&zip_name(&local.name));
        amb.push(
            name,
            format!("the zip entry {shown:?} has another name in its local header ({streamed}): Info-ZIP unzip and 7-Zip use the central directory's (as escrow did), streaming readers (Java's ZipInputStream, bsdtar) the local one"),
            format!("zip 条目 {shown:?} 的本地文件头中是另一个名称（{streamed}）：Info-ZIP unzip 和 7-Zip 使用中央目录中的名称（escrow 同样如此），流式读取工具（Java 的 ZipInputStream、bsdtar）使用本地文件头中的名称"),
            vec![
                format!("central directory (unzip, 7-Zip, escrow): {central}"),
                format!("local header (ZipInputStream, bsdtar): {streamed}"),
            ],
        );
    }
    let mut diffs = Vec::new();
    if local.method != rec.method {
        diffs.push(format!(
            "compression method: central {} / local {}",
            rec.method, local.method
        ));
    }
    if local.flags & 8 == 0 {
        for (what, c, l) in [
            ("compressed size", rec.csize, local.csize),
            ("size", rec.usize, local.usize),
            ("CRC-32", u64::from(rec.crc), u64::from(local.crc)),
        ] {
            if c != l {
                diffs.push(format!("{what}: central {c} / local {l}"));
            }
        }
    }
    if diffs.is_empty() {
        return;
    }
    amb.push(
        name,
        format!("the zip entry {shown:?} has a local header whose method, size or CRC disagrees with its central directory record: Info-ZIP unzip and streaming readers read the data as the local header says (as escrow did), 7-Zip, Python's zipfile and Java's ZipFile as the central record says"),
        format!("zip 条目 {shown:?} 的本地文件头中的压缩方法、大小或 CRC 与中央目录记录不一致：Info-ZIP unzip 和流式读取工具按本地文件头读取数据（escrow 同样如此），7-Zip、Python 的 zipfile 和 Java 的 ZipFile 按中央目录记录读取"),
        diffs,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(host: u8, name: &[u8]) -> Record {
        Record {
            host,
            version_needed: 20,
            flags: 0,
            method: 0,
            crc: 0,
            csize: 0,
            usize: 0,
            external: 0,
            offset: 0,
            name: name.to_vec(),
            unicode_name: None,
        }
    }

    #[test]
    fn names_as_unzip_gives_them() {
        // MS-DOS entries with no `/`: backslashes are separators; anything else keeps them.
        assert_eq!(unzip_name(&record(0, b"a\\b.java")), b"a/b.java");
        assert_eq!(unzip_name(&record(0, b"a/b\\c.java")), b"a/b\\c.java");
        assert_eq!(unzip_name(&record(3, b"a\\b.java")), b"a\\b.java");
        assert_eq!(unzip_name(&record(11, b"a\\b.java")), b"a\\b.java");
        // The Unicode Path field wins when present (its CRC was checked when read).
        let mut r = record(0, b"x");
        r.unicode_name = Some("病历.java".as_bytes().to_vec());
        assert_eq!(unzip_name(&r), "病历.java".as_bytes());
        // GBK, then CP437.
        let (gbk, _, _) = encoding_rs::GBK.encode("病历.java");
        assert_eq!(zip_name(&gbk), "病历.java".as_bytes());
        assert_eq!(zip_name(b"caf\x82\xff"), "café\u{a0}".as_bytes());
        assert_eq!(CP437_HIGH.chars().count(), 128);
    }

    #[test]
    fn what_unzip_skips_and_drops() {
        assert_eq!(drop_controls(b"src/Core.ja\x01va\x7f\t"), b"src/Core.java");
        assert_eq!(unzip_name(&record(3, b"a\x1fb")), b"ab");
        let mut r = record(3, b"a");
        for m in [0, 1, 6, 8, 9, 12] {
            r.method = m;
            assert_eq!(not_extracted(&r), None, "method {m}");
        }
        for m in [2, 14, 93, 95, 98] {
            r.method = m;
            assert!(not_extracted(&r).is_some(), "method {m}");
        }
        r.method = 8;
        r.version_needed = 46;
        assert_eq!(not_extracted(&r), None);
        r.version_needed = 63;
        assert!(not_extracted(&r).unwrap().contains("6.3"));
        r.version_needed = u16::from_le_bytes([45, HOST_VMS]);
        assert!(not_extracted(&r).unwrap().contains("4.2"));
    }
}
