//! File types: what a file's first bytes say it is (archives, compressed streams, executable
//! formats, media, documents), and the extensions counted as source code.
//!
//! One definition for the archive reader (which formats it unpacks) and the scan (compiled code,
//! nested archives, encrypted containers), and one of the folders that hold third-party code
//! for the scan and the requirement checks' coverage. A leaf module: it imports nothing from
//! the crate.

/// Source-code file extensions (lower case, without the dot), counted by `min-source-files`
/// unless the manifest overrides them, and scanned as text by the scan.
pub const DEFAULT_SOURCE_EXTENSIONS: &[&str] = &[
    // JVM
    "java", "kt", "kts", "scala", "groovy", "clj", // .NET and VB
    "cs", "vb", "fs", "cshtml", "razor", "aspx", "ascx", "asmx", "ashx", "asax", "xaml",
    // web
    "js", "mjs", "cjs", "ts", "mts", "cts", "jsx", "tsx", "vue", "svelte", "jsp", "jspx", "asp",
    "php", // scripting
    "py", "rb", "pl", "pm", "lua", "sh", "bash", "ps1", "bat", "cmd", "r", "dart",
    // native
    "go", "rs", "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "hxx", "m", "mm", "swift", "pc",
    // Delphi / Pascal, VB6, FoxPro, PowerBuilder exports: common in older HIS systems
    "pas", "dpr", "dpk", "dfm", "frm", "bas", "cls", "prg", "sru", "srw", "srd", "srf", "srm",
    "srs", "srj", "srq", "srp", // database code
    "sql", "plsql", "pls", "pks", "pkb", "prc", "fnc", "trg", "vw",
];

/// Path components of folders that hold third-party code by convention (npm, Bower, jspm,
/// Composer and Go `vendor`, pip, Maven's and Gradle's caches, NuGet's `packages`).
pub const THIRD_PARTY_DIRS: &[&str] = &[
    "node_modules",
    "bower_components",
    "jspm_packages",
    "vendor",
    "vendors",
    "third_party",
    "third-party",
    "thirdparty",
    "3rdparty",
    "site-packages",
    "dist-packages",
    ".m2",
    ".gradle",
    ".nuget",
    "packages",
];

/// Whether the file at `path` (relative, `/`-separated bytes) is third-party code: matched by
/// one of the manifest's `[scan] vendored` globs, or under a folder of [`THIRD_PARTY_DIRS`]
/// (case-insensitive). `vendor`/`vendors` count only among the first three folders (Composer's
/// and Go's sit near the top; `com/acme/his/vendor` deep in a source tree is the vendor's own
/// package), and `packages` only when the folder inside it is named like a NuGet package
/// (`packages/Newtonsoft.Json.13.0.1/`, not a JavaScript monorepo's `packages/his-web/`).
/// Allocates nothing when `vendored` is empty: the requirement checks call it per file.
pub fn is_third_party(path: &[u8], vendored: &globset::GlobSet) -> bool {
    if !vendored.is_empty() {
        let p = std::path::Path::new(
            <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(path),
        );
        if vendored.is_match_candidate(&globset::Candidate::new(p)) {
            return true;
        }
    }
    // The folders: every component but the last.
    let Some(last) = path.iter().rposition(|b| *b == b'/') else {
        return false;
    };
    let mut dirs = path[..last].split(|b| *b == b'/').enumerate().peekable();
    while let Some((i, c)) = dirs.next() {
        let is = |d: &str| c.eq_ignore_ascii_case(d.as_bytes());
        let third = if is("vendor") || is("vendors") {
            i <= 2
        } else if is("packages") {
            dirs.peek().is_some_and(|(_, n)| nuget_folder(n))
        } else {
            THIRD_PARTY_DIRS.iter().any(|d| is(d))
        };
        if third {
            return true;
        }
    }
    false
}

/// A NuGet package folder name: `Newtonsoft.Json.13.0.1` (at least two dots, the last part
/// starting with a digit).
pub fn nuget_folder(name: &[u8]) -> bool {
    let last_numeric = name
        .rsplit(|b| *b == b'.')
        .next()
        .is_some_and(|p| p.first().is_some_and(u8::is_ascii_digit));
    last_numeric && name.split(|b| *b == b'.').nth(2).is_some()
}

/// Git LFS pointer files are smaller than this (the LFS specification's limit).
pub const LFS_POINTER_MAX: u64 = 1024;

/// Is this a Git LFS pointer, a file of `size` bytes starting with `head` (its first bytes, at
/// least its first `LFS_POINTER_MAX` when it is that long)? A pointer stands for content kept
/// on an LFS server: `version https://git-lfs.github.com/spec/v1`, `oid sha256:…`, `size N`.
pub fn is_lfs_pointer(head: &[u8], size: u64) -> bool {
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    size < LFS_POINTER_MAX
        && head.starts_with(b"version https://git-lfs.github.com/spec/v1")
        && has(b"\noid sha256:")
        && has(b"\nsize ")
}

/// A compressed stream, told by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// `1f 8b`.
    Gzip,
    /// `BZh`.
    Bzip2,
    /// `fd 37 7a 58 5a 00`.
    Xz,
    /// `28 b5 2f fd`.
    Zstd,
    /// A zlib header (`78 01`, `78 5e`, `78 9c`, `78 da`): a guess, two bytes only.
    Zlib,
}

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Magic {
    /// None of the types below: text, or a format escrow does not tell apart.
    Unknown,
    /// A JVM class file (`ca fe ba be`, class-file major version 45 or later).
    Class,
    /// A Windows executable or DLL (`MZ`). `dotnet` is never set by [`magic_of`]: whoever reads
    /// the body decides it with [`is_dotnet_assembly`].
    Pe {
        /// A .NET assembly (CLI metadata present).
        dotnet: bool,
    },
    /// A Linux or Unix executable or shared library (`7f ELF`).
    Elf,
    /// A macOS executable or library (thin, either byte order).
    MachO,
    /// A zip archive (also jar, war, docx, …), from its first local header or an empty one.
    Zip,
    /// A 7-Zip archive.
    SevenZip,
    /// A RAR archive.
    Rar,
    /// A Unix `ar` archive (static libraries, `.deb`).
    ArArchive,
    /// Android Dalvik bytecode.
    Dex,
    /// A WebAssembly module.
    Wasm,
    /// gzip, bzip2, xz, zstd, zlib-looking: compressed, not encrypted.
    Compressed(Compression),
    /// Images, audio, video, fonts: compressed media.
    Media,
    /// OLE compound file (old Office, encrypted OOXML).
    Cfb,
    /// A PDF document.
    Pdf,
}

/// What a file's first bytes say it is. `head` is the file's start (any length; 12 bytes
/// decide every type).
pub fn magic_of(head: &[u8]) -> Magic {
    let starts = |m: &[u8]| head.starts_with(m);
    if starts(&[0xca, 0xfe, 0xba, 0xbe]) && head.len() >= 8 && head[7] >= 45 {
        Magic::Class
    } else if starts(b"MZ") {
        Magic::Pe { dotnet: false }
    } else if starts(b"\x7fELF") {
        Magic::Elf
    } else if starts(&[0xfe, 0xed, 0xfa, 0xce])
        || starts(&[0xfe, 0xed, 0xfa, 0xcf])
        || starts(&[0xce, 0xfa, 0xed, 0xfe])
        || starts(&[0xcf, 0xfa, 0xed, 0xfe])
    {
        Magic::MachO
    } else if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        Magic::Zip
    } else if starts(b"7z\xbc\xaf\x27\x1c") {
        Magic::SevenZip
    } else if starts(b"Rar!\x1a\x07") {
        Magic::Rar
    } else if starts(b"!<arch>\n") {
        Magic::ArArchive
    } else if starts(b"dex\n") {
        Magic::Dex
    } else if starts(b"\0asm") {
        Magic::Wasm
    } else if let Some(c) = compression_of(head) {
        Magic::Compressed(c)
    } else if is_media(head) {
        Magic::Media
    } else if starts(&[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]) {
        Magic::Cfb
    } else if starts(b"%PDF-") {
        Magic::Pdf
    } else {
        Magic::Unknown
    }
}

fn compression_of(head: &[u8]) -> Option<Compression> {
    let starts = |m: &[u8]| head.starts_with(m);
    if starts(&[0x1f, 0x8b]) {
        Some(Compression::Gzip)
    } else if starts(b"BZh") {
        Some(Compression::Bzip2)
    } else if starts(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Some(Compression::Xz)
    } else if starts(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some(Compression::Zstd)
    } else if head.len() >= 2 && head[0] == 0x78 && matches!(head[1], 0x01 | 0x5e | 0x9c | 0xda) {
        Some(Compression::Zlib)
    } else {
        None
    }
}

fn is_media(head: &[u8]) -> bool {
    let starts = |m: &[u8]| head.starts_with(m);
    starts(&[0x89, b'P', b'N', b'G'])
        || starts(&[0xff, 0xd8, 0xff])
        || starts(b"GIF8")
        || starts(b"RIFF")
        || starts(b"OggS")
        || starts(b"fLaC")
        || starts(b"ID3")
        || starts(b"wOFF")
        || starts(b"wOF2")
        || starts(&[0, 1, 0, 0, 0])
        || starts(b"OTTO")
        || (head.len() >= 12 && &head[4..8] == b"ftyp")
        || starts(&[0x1a, 0x45, 0xdf, 0xa3])
}

/// A POSIX (ustar) or GNU tar header: `ustar` at offset 257 of the first 512-byte block.
pub fn is_tar(head: &[u8]) -> bool {
    head.len() >= 262 && &head[257..262] == b"ustar"
}

/// A PE file's content (the whole file or a prefix) holds the CLI metadata root signature
/// `BSJB`: a .NET assembly.
pub fn is_dotnet_assembly(content: &[u8]) -> bool {
    memchr::memmem::find(content, b"BSJB").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archives_and_executables() {
        assert_eq!(magic_of(b"PK\x03\x04rest"), Magic::Zip);
        assert_eq!(magic_of(b"PK\x05\x06"), Magic::Zip);
        assert_eq!(magic_of(b"MZ\x90\0"), Magic::Pe { dotnet: false });
        assert_eq!(magic_of(b"\x7fELF\x02"), Magic::Elf);
        assert_eq!(
            magic_of(&[0x1f, 0x8b, 8, 0]),
            Magic::Compressed(Compression::Gzip)
        );
        assert_eq!(magic_of(b"BZh91AY"), Magic::Compressed(Compression::Bzip2));
        assert_eq!(magic_of(b"7z\xbc\xaf\x27\x1c\0\x04"), Magic::SevenZip);
        assert_eq!(magic_of(b"Rar!\x1a\x07\0"), Magic::Rar);
        assert_eq!(
            magic_of(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]),
            Magic::Class
        );
        // A Mach-O fat binary shares `ca fe ba be` with class files but has a small count.
        assert_eq!(
            magic_of(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]),
            Magic::Unknown
        );
        assert_eq!(magic_of(b"%PDF-1.7"), Magic::Pdf);
        assert_eq!(magic_of(b"hello"), Magic::Unknown);
        assert_eq!(magic_of(b""), Magic::Unknown);
    }

    #[test]
    fn tar_and_dotnet() {
        let mut block = vec![0u8; 512];
        assert!(!is_tar(&block));
        block[257..262].copy_from_slice(b"ustar");
        assert!(is_tar(&block));
        assert!(!is_tar(&block[..261]));
        assert!(is_dotnet_assembly(b"MZ....BSJB...."));
        assert!(!is_dotnet_assembly(b"MZ....BSJ"));
    }

    /// A leaf: nothing from the crate outside this file.
    #[test]
    fn imports_nothing_from_the_crate() {
        let text = include_str!("filetypes.rs");
        assert!(!text.contains(&format!("{}::", "crate")));
    }
}
