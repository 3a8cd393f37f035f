//! .NET assemblies read from their metadata (`source-obfuscated`, rule `dotnet-protected`), and
//! the strong-name public key token that tells a known publisher's library.
//!
//! The reader is a small, bounds-checked parser of the PE headers and the ECMA-335 metadata
//! (streams, the `#~` table stream, the `#Strings` and `#Blob` heaps): it reads only the tables
//! whose names it needs, never executes anything, and gives up quietly on what it cannot read.
//! Work is bounded by the bytes kept for the file and by the row limits below.

use crate::finding::Finding;
use crate::scan::facts::FileFacts;
use crate::scan::inspect::FileScan;

/// Rows of one table read for names, at most.
const MAX_ROWS: usize = 200_000;
/// Method bodies whose header is checked, at most.
const MAX_BODIES: usize = 4_000;

/// Strong-name public key tokens of publishers whose libraries are never the vendor's own.
/// Each was checked against assembly references published in public repositories.
/// The key is public (it is in every assembly it signs), so a vendor could put it in its own
/// assembly: a token counts only with an assembly name of that publisher (`System.*`,
/// `Microsoft.*`, `Newtonsoft.*`, …), never for one in the vendor's namespace.
pub(in crate::scan) const PUBLISHER_TOKENS: &[(&str, &str, &[&str])] = &[
    ("b77a5c561934e089", "Microsoft (ECMA)", MICROSOFT_NAMES),
    ("b03f5f7f11d50a3a", "Microsoft", MICROSOFT_NAMES),
    ("31bf3856ad364e35", "Microsoft", MICROSOFT_NAMES),
    ("cc7b13ffcd2ddd51", "Microsoft (.NET)", MICROSOFT_NAMES),
    (
        "adb9793829ddae60",
        "Microsoft (ASP.NET Core)",
        MICROSOFT_NAMES,
    ),
    ("30ad4fe6b2a6aeed", "Newtonsoft", &["newtonsoft"]),
    ("89b483f429c47342", "Oracle", &["oracle"]),
    ("669e0ddf0bb1aa2a", "Apache log4net", &["log4net"]),
    ("0df73ec7942b34e1", "NPOI", &["npoi"]),
];

/// Names Microsoft's assemblies start with (lower case).
const MICROSOFT_NAMES: &[&str] = &[
    "system",
    "microsoft",
    "mscorlib",
    "netstandard",
    "windowsbase",
    "presentation",
    "reachframework",
    "uiautomation",
    "accessibility",
    "entityframework",
    "webgrease",
];

/// What the metadata of one assembly says.
#[derive(Debug, Default)]
pub(in crate::scan) struct Metadata {
    /// Names of defined types (without namespace), methods and fields.
    pub(in crate::scan) types: Vec<String>,
    pub(in crate::scan) methods: Vec<String>,
    pub(in crate::scan) fields: Vec<String>,
    /// Every entry of the `#Strings` heap that names an API of interest.
    pub(in crate::scan) apis: Vec<&'static str>,
    /// Things a compiler never writes: duplicate or unknown streams, impossible counts.
    pub(in crate::scan) anomalies: Vec<String>,
    /// The assembly's name and strong-name public key token (hex).
    pub(in crate::scan) name: Option<String>,
    pub(in crate::scan) token: Option<String>,
    /// Method bodies checked, and how many of them do not start with a valid IL header.
    pub(in crate::scan) bodies: usize,
    pub(in crate::scan) bad_bodies: usize,
}

/// APIs of runtime code decryption and generation, looked up in the `#Strings` heap.
const APIS: &[&str] = &[
    "VirtualProtect",
    "DynamicMethod",
    "OpCodes",
    "GetILGenerator",
    "System.Reflection.Emit",
];

fn u16_at(d: &[u8], o: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        d.get(o..o.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn u32_at(d: &[u8], o: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        d.get(o..o.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn at(d: &[u8], o: usize) -> Option<usize> {
    u32_at(d, o).and_then(|v| usize::try_from(v).ok())
}

/// The PE sections: (virtual address, virtual size, raw offset, raw size).
struct Pe {
    sections: Vec<(usize, usize, usize, usize)>,
    cli: usize,
}

impl Pe {
    fn parse(d: &[u8]) -> Option<Pe> {
        let nt = at(d, 0x3c)?;
        if d.get(nt..nt.checked_add(4)?)? != b"PE\0\0" {
            return None;
        }
        let coff = nt + 4;
        let count = usize::from(u16_at(d, coff + 2)?).min(96);
        let opt = coff + 20;
        let opt_size = usize::from(u16_at(d, coff + 16)?);
        let dirs = match u16_at(d, opt)? {
            0x10b => opt + 96,
            0x20b => opt + 112,
            _ => return None,
        };
        if at(d, dirs - 4)? < 15 {
            return None;
        }
        let cli_rva = at(d, dirs + 14 * 8)?;
        let mut sections = Vec::with_capacity(count);
        for i in 0..count {
            let s = opt + opt_size + i * 40;
            sections.push((
                at(d, s + 12)?,
                at(d, s + 8)?,
                at(d, s + 20)?,
                at(d, s + 16)?,
            ));
        }
        let mut pe = Pe { sections, cli: 0 };
        pe.cli = pe.offset(cli_rva)?;
        Some(pe)
    }

    /// The file offset of a relative virtual address.
    fn offset(&self, rva: usize) -> Option<usize> {
        self.sections.iter().find_map(|&(va, vsize, raw, rsize)| {
            let end = va.checked_add(vsize.max(rsize))?;
            (rva >= va && rva < end && rva - va < rsize).then(|| raw + (rva - va))
        })
    }
}

/// One stream of the metadata: its bytes.
#[derive(Default, Clone, Copy)]
struct Heaps<'a> {
    strings: &'a [u8],
    blob: &'a [u8],
    wide_strings: bool,
    wide_guid: bool,
    wide_blob: bool,
}

impl<'a> Heaps<'a> {
    fn string(&self, i: usize) -> Option<&'a [u8]> {
        let s = self.strings.get(i..)?;
        let end = memchr::memchr(0, s)?;
        Some(&s[..end])
    }

    fn blob(&self, i: usize) -> Option<&'a [u8]> {
        let b = self.blob.get(i..)?;
        let first = *b.first()?;
        let (len, skip): (usize, usize) = if first & 0x80 == 0 {
            (usize::from(first), 1)
        } else if first & 0xc0 == 0x80 {
            (
                (usize::from(first & 0x3f) << 8) | usize::from(*b.get(1)?),
                2,
            )
        } else {
            (
                (usize::from(first & 0x1f) << 24)
                    | (usize::from(*b.get(1)?) << 16)
                    | (usize::from(*b.get(2)?) << 8)
                    | usize::from(*b.get(3)?),
                4,
            )
        };
        b.get(skip..skip.checked_add(len)?)
    }
}

/// A column of a metadata table.
#[derive(Clone, Copy)]
enum Col {
    Fixed(usize),
    Str,
    Guid,
    Blob,
    Table(usize),
    Coded(&'static [usize]),
}

use Col::{Blob, Coded, Fixed, Guid, Str, Table};

/// No table: a tag of a coded index that is not used.
const NONE: usize = 0x3f;
const TYPE_DEF_OR_REF: &[usize] = &[0x02, 0x01, 0x1b];
const HAS_CONSTANT: &[usize] = &[0x04, 0x08, 0x17];
const HAS_CUSTOM_ATTRIBUTE: &[usize] = &[
    0x06, 0x04, 0x01, 0x02, 0x08, 0x09, 0x0a, 0x00, 0x0e, 0x17, 0x14, 0x11, 0x1a, 0x1b, 0x20, 0x23,
    0x26, 0x27, 0x28, 0x2a, 0x2c, 0x2b,
];
const HAS_FIELD_MARSHAL: &[usize] = &[0x04, 0x08];
const HAS_DECL_SECURITY: &[usize] = &[0x02, 0x06, 0x20];
const MEMBER_REF_PARENT: &[usize] = &[0x02, 0x01, 0x1a, 0x06, 0x1b];
const HAS_SEMANTICS: &[usize] = &[0x14, 0x17];
const METHOD_DEF_OR_REF: &[usize] = &[0x06, 0x0a];
const MEMBER_FORWARDED: &[usize] = &[0x04, 0x06];
const IMPLEMENTATION: &[usize] = &[0x26, 0x23, 0x27];
const CUSTOM_ATTRIBUTE_TYPE: &[usize] = &[NONE, NONE, 0x06, 0x0a, NONE];
const RESOLUTION_SCOPE: &[usize] = &[0x00, 0x1a, 0x23, 0x01];
const TYPE_OR_METHOD_DEF: &[usize] = &[0x02, 0x06];

/// The columns of the tables ECMA-335 defines (0x00 … 0x2c).
const SCHEMA: [&[Col]; 0x2d] = [
    &[Fixed(2), Str, Guid, Guid, Guid],   // Module
    &[Coded(RESOLUTION_SCOPE), Str, Str], // TypeRef
    &[
        Fixed(4),
        Str,
        Str,
        Coded(TYPE_DEF_OR_REF),
        Table(0x04),
        Table(0x06),
    ], // TypeDef
    &[Table(0x04)],                       // FieldPtr
    &[Fixed(2), Str, Blob],               // Field
    &[Table(0x06)],                       // MethodPtr
    &[Fixed(4), Fixed(2), Fixed(2), Str, Blob, Table(0x08)], // MethodDef
    &[Table(0x08)],                       // ParamPtr
    &[Fixed(2), Fixed(2), Str],           // Param
    &[Table(0x02), Coded(TYPE_DEF_OR_REF)], // InterfaceImpl
    &[Coded(MEMBER_REF_PARENT), Str, Blob], // MemberRef
    &[Fixed(2), Coded(HAS_CONSTANT), Blob], // Constant
    &[
        Coded(HAS_CUSTOM_ATTRIBUTE),
        Coded(CUSTOM_ATTRIBUTE_TYPE),
        Blob,
    ], // CustomAttribute
    &[Coded(HAS_FIELD_MARSHAL), Blob],    // FieldMarshal
    &[Fixed(2), Coded(HAS_DECL_SECURITY), Blob], // DeclSecurity
    &[Fixed(2), Fixed(4), Table(0x02)],   // ClassLayout
    &[Fixed(4), Table(0x04)],             // FieldLayout
    &[Blob],                              // StandAloneSig
    &[Table(0x02), Table(0x14)],          // EventMap
    &[Table(0x14)],                       // EventPtr
    &[Fixed(2), Str, Coded(TYPE_DEF_OR_REF)], // Event
    &[Table(0x02), Table(0x17)],          // PropertyMap
    &[Table(0x17)],                       // PropertyPtr
    &[Fixed(2), Str, Blob],               // Property
    &[Fixed(2), Table(0x06), Coded(HAS_SEMANTICS)], // MethodSemantics
    &[
        Table(0x02),
        Coded(METHOD_DEF_OR_REF),
        Coded(METHOD_DEF_OR_REF),
    ], // MethodImpl
    &[Str],                               // ModuleRef
    &[Blob],                              // TypeSpec
    &[Fixed(2), Coded(MEMBER_FORWARDED), Str, Table(0x1a)], // ImplMap
    &[Fixed(4), Table(0x04)],             // FieldRVA
    &[Fixed(4), Fixed(4)],                // EncLog
    &[Fixed(4)],                          // EncMap
    &[Fixed(4), Fixed(8), Fixed(4), Blob, Str, Str], // Assembly
    &[Fixed(4)],                          // AssemblyProcessor
    &[Fixed(12)],                         // AssemblyOS
    &[Fixed(8), Fixed(4), Blob, Str, Str, Blob], // AssemblyRef
    &[Fixed(4), Table(0x23)],             // AssemblyRefProcessor
    &[Fixed(12), Table(0x23)],            // AssemblyRefOS
    &[Fixed(4), Str, Blob],               // File
    &[Fixed(4), Fixed(4), Str, Str, Coded(IMPLEMENTATION)], // ExportedType
    &[Fixed(4), Fixed(4), Str, Coded(IMPLEMENTATION)], // ManifestResource
    &[Table(0x02), Table(0x02)],          // NestedClass
    &[Fixed(2), Fixed(2), Coded(TYPE_OR_METHOD_DEF), Str], // GenericParam
    &[Coded(METHOD_DEF_OR_REF), Blob],    // MethodSpec
    &[Table(0x2a), Coded(TYPE_DEF_OR_REF)], // GenericParamConstraint
];

/// The table stream: where each table starts, its row size and count.
struct Tables<'a> {
    data: &'a [u8],
    rows: [usize; 64],
    start: [usize; 0x2d],
    heaps: Heaps<'a>,
}

impl Tables<'_> {
    fn col_size(&self, c: Col) -> usize {
        let wide = |b: bool| if b { 4 } else { 2 };
        match c {
            Fixed(n) => n,
            Str => wide(self.heaps.wide_strings),
            Guid => wide(self.heaps.wide_guid),
            Blob => wide(self.heaps.wide_blob),
            Table(t) => wide(self.rows[t] > 0xffff),
            Coded(tags) => {
                let bits = usize::BITS - (tags.len() - 1).leading_zeros();
                let max = tags
                    .iter()
                    .map(|&t| if t == NONE { 0 } else { self.rows[t] })
                    .max()
                    .unwrap_or(0);
                wide(max >= 1 << (16 - bits))
            }
        }
    }

    fn row_size(&self, t: usize) -> usize {
        SCHEMA[t].iter().map(|&c| self.col_size(c)).sum()
    }

    /// Column `col` of row `row` (0-based) of table `t`, as a number.
    fn get(&self, t: usize, row: usize, col: usize) -> Option<usize> {
        let mut o = self.start[t] + row * self.row_size(t);
        for &c in &SCHEMA[t][..col] {
            o += self.col_size(c);
        }
        match self.col_size(SCHEMA[t][col]) {
            2 => u16_at(self.data, o).map(usize::from),
            4 => at(self.data, o),
            _ => None,
        }
    }

    fn name(&self, t: usize, row: usize, col: usize) -> Option<String> {
        let i = self.get(t, row, col)?;
        Some(String::from_utf8_lossy(self.heaps.string(i)?).into_owned())
    }
}

/// Read an assembly's metadata; `None` when it is not a .NET assembly this reader can read.
pub(in crate::scan) fn read(d: &[u8]) -> Option<Metadata> {
    let pe = Pe::parse(d)?;
    let md_rva = at(d, pe.cli + 8)?;
    let md = pe.offset(md_rva)?;
    let root = d.get(md..)?;
    if root.get(..4)? != b"BSJB" {
        return None;
    }
    let mut m = Metadata::default();
    let vlen = at(root, 12)?;
    let mut o = 16usize.checked_add(vlen)?;
    let count = usize::from(u16_at(root, o + 2)?);
    o += 4;
    let mut seen: Vec<String> = Vec::new();
    let mut tables: Option<&[u8]> = None;
    let mut heaps = Heaps::default();
    for _ in 0..count.min(64) {
        let off = at(root, o)?;
        let size = at(root, o + 4)?;
        let name_bytes = root.get(o + 8..)?;
        let end = memchr::memchr(0, &name_bytes[..name_bytes.len().min(32)])?;
        let name = String::from_utf8_lossy(&name_bytes[..end]).into_owned();
        o += 8 + (end + 4) / 4 * 4;
        let data = root.get(off..off.saturating_add(size).min(root.len()))?;
        if seen.contains(&name) {
            m.anomalies
                .push(format!("two metadata streams named {name:?}"));
        } else if !matches!(
            name.as_str(),
            "#~" | "#-" | "#Strings" | "#US" | "#GUID" | "#Blob" | "#Pdb" | "#JTD"
        ) {
            m.anomalies
                .push(format!("unknown metadata stream {name:?}"));
        }
        match name.as_str() {
            "#~" | "#-" => {
                if name == "#-" {
                    m.anomalies.push(
                        "uncompressed (#-) metadata tables, which compilers do not write"
                            .to_owned(),
                    );
                }
                tables.get_or_insert(data);
            }
            "#Strings" if heaps.strings.is_empty() => heaps.strings = data,
            "#Blob" if heaps.blob.is_empty() => heaps.blob = data,
            _ => {}
        }
        seen.push(name);
    }
    for api in APIS {
        if memchr::memmem::find(heaps.strings, format!("\0{api}\0").as_bytes()).is_some() {
            m.apis.push(api);
        }
    }
    if let Some(t) = tables {
        read_tables(d, &pe, t, heaps, &mut m);
    }
    Some(m)
}

/// Read the table stream: names, the assembly's identity, method body headers.
fn read_tables(d: &[u8], pe: &Pe, t: &[u8], mut heaps: Heaps<'_>, m: &mut Metadata) {
    let Some(sizes) = t.get(6).copied() else {
        return;
    };
    heaps.wide_strings = sizes & 1 != 0;
    heaps.wide_guid = sizes & 2 != 0;
    heaps.wide_blob = sizes & 4 != 0;
    let Some(valid) = t
        .get(8..16)
        .and_then(|v| v.try_into().ok())
        .map(u64::from_le_bytes)
    else {
        return;
    };
    if valid >> 0x2d != 0 {
        m.anomalies
            .push("metadata tables of unknown kinds".to_owned());
    }
    let mut rows = [0usize; 64];
    let mut o = 24;
    for (i, r) in rows.iter_mut().enumerate() {
        if valid >> i & 1 == 1 {
            let Some(n) = at(t, o) else { return };
            *r = n;
            o += 4;
        }
    }
    if sizes & 0x40 != 0 {
        o += 4;
    }
    let mut tab = Tables {
        data: t,
        rows,
        start: [0; 0x2d],
        heaps,
    };
    for (i, &count) in rows.iter().enumerate().take(0x2d) {
        tab.start[i] = o;
        o = o.saturating_add(tab.row_size(i).saturating_mul(count));
    }
    if o > t.len() {
        m.anomalies.push(format!(
            "table row counts need {o} bytes, but the table stream has {}",
            t.len()
        ));
        return;
    }
    if rows[0] != 1 {
        m.anomalies
            .push(format!("{} rows in the Module table (always 1)", rows[0]));
    }
    if rows[0x20] > 1 {
        m.anomalies.push(format!(
            "{} rows in the Assembly table (at most 1)",
            rows[0x20]
        ));
    }
    for r in 0..rows[0x02].min(MAX_ROWS) {
        m.types.extend(tab.name(0x02, r, 1));
    }
    for r in 0..rows[0x04].min(MAX_ROWS) {
        m.fields.extend(tab.name(0x04, r, 1));
    }
    for r in 0..rows[0x06].min(MAX_ROWS) {
        m.methods.extend(tab.name(0x06, r, 3));
        if m.bodies < MAX_BODIES {
            check_body(d, pe, &tab, r, m);
        }
    }
    if rows[0x20] >= 1 {
        m.name = tab.name(0x20, 0, 4);
        m.token = tab
            .get(0x20, 0, 3)
            .and_then(|i| tab.heaps.blob(i))
            .filter(|k| !k.is_empty())
            .map(public_key_token);
    }
}

/// Whether method `r`'s body starts with a valid IL header (tiny or fat).
fn check_body(d: &[u8], pe: &Pe, tab: &Tables<'_>, r: usize, m: &mut Metadata) {
    let (Some(rva), Some(impl_flags)) = (tab.get(0x06, r, 0), tab.get(0x06, r, 1)) else {
        return;
    };
    // No body (abstract, extern, runtime) or native code (C++/CLI): nothing to check.
    if rva == 0 || impl_flags & 0x3 != 0 {
        return;
    }
    m.bodies += 1;
    let ok = pe
        .offset(rva)
        .and_then(|o| d.get(o..o + 2))
        .is_some_and(|h| match h[0] & 0x3 {
            0x2 => true,
            0x3 => h[1] >> 4 == 3,
            _ => false,
        });
    if !ok {
        m.bad_bodies += 1;
    }
}

/// A strong name's public key token: the last 8 bytes of the key's SHA-1, reversed (hex).
fn public_key_token(key: &[u8]) -> String {
    use sha1::Digest;
    let hash = sha1::Sha1::digest(key);
    hash[12..].iter().rev().fold(String::new(), |mut s, b| {
        use std::fmt::Write;
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn m_publisher(m: Option<&Metadata>) -> Option<&'static str> {
    let m = m?;
    publisher(m.token.as_deref()?, m.name.as_deref().unwrap_or(""))
}

/// The publisher of a known strong-name token, when the assembly (`assembly`, its name) is
/// named as that publisher's are.
pub(in crate::scan) fn publisher(token: &str, assembly: &str) -> Option<&'static str> {
    let name = assembly.to_ascii_lowercase();
    PUBLISHER_TOKENS
        .iter()
        .find(|(t, _, names)| *t == token && names.iter().any(|n| name.starts_with(n)))
        .map(|(_, p, _)| *p)
}

/// How one name looks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Written by a person or a compiler.
    Plain,
    /// Control, invisible, private-use or symbol characters: never in compiled C# or VB.
    Odd,
    /// One character, or two lower-case letters (`a`, `b`, `aa`): renamed by an obfuscator.
    Tiny,
    /// Long and random-looking (`dk7RdWW1rjb6oqmxZ8`).
    Random,
}

/// Names a compiler makes or that are always there: not counted. C++/CLI writes decorated
/// C++ names (`?A0x1f2e3d4c`, `?Run@@YAXXZ`) for its native functions and anonymous
/// namespaces.
fn counted(name: &str) -> bool {
    !(name.is_empty()
        || name.contains('<')
        || name.starts_with('?')
        || name.contains("@@")
        // The C# compiler's static array data: `__StaticArrayInitTypeSize=16` types, fields
        // named by the data's hash, and the older `$$method0x6000001-1`.
        || name.starts_with("__StaticArrayInitTypeSize")
        || name.starts_with("$$method")
        || (name.len() >= 32 && name.bytes().all(|b| b.is_ascii_hexdigit()))
        || matches!(
            name,
            ".ctor" | ".cctor" | "value__" | "Invoke" | "BeginInvoke" | "EndInvoke"
        ))
}

fn odd_char(c: char) -> bool {
    let u = u32::from(c);
    c.is_control()
        || (0x200b..=0x200f).contains(&u)
        || (0x202a..=0x202e).contains(&u)
        || (0x2060..=0x206f).contains(&u)
        || u == 0xfeff
        || (0xe000..=0xf8ff).contains(&u)
        || c == char::REPLACEMENT_CHARACTER
        // F# writes `clo@12`, `|Even|Odd|` and ``names with spaces``.
        || !(c.is_alphanumeric() || matches!(c, '_' | '.' | '`' | '$' | '-' | '@' | '|' | ' '))
}

fn shape(name: &str) -> Shape {
    if name.chars().any(odd_char) {
        return Shape::Odd;
    }
    let len = name.chars().count();
    // Dotfuscator's `a`, `b`, `aa`, `ab`; not `Id`, `UI`, `IO`.
    if len == 1 || (len == 2 && name.chars().all(|c| c.is_ascii_lowercase())) {
        return Shape::Tiny;
    }
    if len >= 12 && name.chars().all(|c| c.is_ascii_alphanumeric()) {
        let b = name.as_bytes();
        let digit_flips = b
            .windows(2)
            .filter(|w| w[0].is_ascii_digit() != w[1].is_ascii_digit())
            .count();
        let letters: Vec<u8> = b.iter().copied().filter(u8::is_ascii_alphabetic).collect();
        let vowels = letters
            .iter()
            .filter(|c| b"aeiouyAEIOUY".contains(c))
            .count();
        let case_flips = letters
            .windows(2)
            .filter(|w| w[0].is_ascii_uppercase() != w[1].is_ascii_uppercase())
            .count();
        let segments = camel_segments(b);
        let short_words = segments * 26 > len * 10;
        if digit_flips >= 4
            || (segments >= 5 && short_words)
            || (vowels * 5 < letters.len() && case_flips * 5 >= len * 2)
        {
            return Shape::Random;
        }
    }
    Shape::Plain
}

/// The words of a camel-case name: a new word at a lower-to-upper change, between letters
/// and digits, and at the last capital of an acronym (`XMLParser`: `XML`, `Parser`).
fn camel_segments(b: &[u8]) -> usize {
    let mut n = usize::from(!b.is_empty());
    for i in 1..b.len() {
        let (p, c) = (b[i - 1], b[i]);
        let next_lower = b.get(i + 1).is_some_and(u8::is_ascii_lowercase);
        if (p.is_ascii_lowercase() && c.is_ascii_uppercase())
            || (p.is_ascii_digit() != c.is_ascii_digit())
            || (p.is_ascii_uppercase() && c.is_ascii_uppercase() && next_lower)
        {
            n += 1;
        }
    }
    n
}

/// A name as evidence: invisible and control characters written as `\u{…}`.
fn shown(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars().take(40) {
        if odd_char(c) && !c.is_ascii_punctuation() {
            s.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            s.push(c);
        }
    }
    s
}

/// Why the metadata says the assembly is protected: evidence lines, or `None` when it looks
/// like a compiler's output.
pub(in crate::scan) fn protection(m: &Metadata) -> Option<Vec<String>> {
    let names: Vec<&String> = m
        .types
        .iter()
        .chain(&m.methods)
        .chain(&m.fields)
        .filter(|n| counted(n))
        .collect();
    let junk: Vec<(&String, Shape)> = names
        .iter()
        .map(|n| (*n, shape(n)))
        .filter(|(_, s)| *s != Shape::Plain)
        .collect();
    let n = names.len();
    let strong = n >= 8 && junk.len() * 10 >= n * 6;
    let weak = junk.len() >= 3 && junk.len() * 10 >= n * 2;
    let module_guid = m.types.iter().find(|t| t.starts_with("<Module>{"));
    let emit = m.apis.contains(&"DynamicMethod")
        && (m.apis.contains(&"OpCodes") || m.apis.contains(&"GetILGenerator"));
    let virtual_protect = m.apis.contains(&"VirtualProtect");
    let encrypted_bodies = m.bad_bodies >= 3 && m.bad_bodies * 2 >= m.bodies;
    let protected = strong
        || module_guid.is_some()
        || encrypted_bodies
        || (weak && (virtual_protect || emit || !m.anomalies.is_empty()));
    if !protected {
        return None;
    }
    let mut ev = Vec::new();
    if !junk.is_empty() {
        let count = |s: Shape| junk.iter().filter(|(_, x)| *x == s).count();
        ev.push(format!(
            "{} of {n} type, method and field names are not a compiler's ({} with invisible, control or symbol characters, {} of one or two letters, {} random-looking), e.g. {}",
            junk.len(),
            count(Shape::Odd),
            count(Shape::Tiny),
            count(Shape::Random),
            junk.iter()
                .take(5)
                .map(|(n, _)| format!("\"{}\"", shown(n)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(t) = module_guid {
        ev.push(format!(
            "a type named {}: compilers never write it, protectors add it",
            shown(t)
        ));
    }
    if virtual_protect {
        ev.push("imports VirtualProtect: changes memory protection at run time, as protectors do to decrypt method bodies".to_owned());
    }
    if emit {
        ev.push("builds methods at run time (DynamicMethod with IL op-codes), as protectors do to hide code".to_owned());
    }
    if encrypted_bodies {
        ev.push(format!(
            "{} of {} method bodies do not start with a valid IL header: they are encrypted and decrypted at run time",
            m.bad_bodies, m.bodies
        ));
    }
    ev.extend(
        m.anomalies
            .iter()
            .take(5)
            .map(|a| format!("invalid metadata: {a}")),
    );
    Some(ev)
}

/// Read a .NET assembly as it is scanned: note its name and strong-name token in `facts`, and,
/// unless it is third-party, report an obfuscator's markers or a protection its metadata shows.
pub(in crate::scan) fn inspect(
    file: &FileScan<'_>,
    third_party: bool,
    facts: &mut FileFacts,
) -> Option<Finding> {
    let md = read(&file.body);
    if let Some(m) = &md {
        facts.assembly_name.clone_from(&m.name);
        facts.public_key_token.clone_from(&m.token);
    }
    // Third-party code, and libraries signed by a known publisher, ship protected builds.
    if third_party || m_publisher(md.as_ref()).is_some() {
        return None;
    }
    let evidence = md.as_ref().and_then(protection);
    let mut f = if let Some(mut f) = super::obfuscation::dotnet_markers(file) {
        f.evidence.extend(evidence.unwrap_or_default());
        f
    } else {
        protected(file, evidence?)
    };
    if crate::scan::post::test_fixture(&f.path.clone().unwrap_or_default()) {
        crate::scan::post::fixture(&mut f);
    }
    Some(f)
}

/// `source-obfuscated`, rule `dotnet-protected`, with its evidence.
fn protected(file: &FileScan<'_>, ev: Vec<String>) -> Finding {
    Finding::of(
        crate::scan::codes::ScanCode::SourceObfuscated,
        ".NET assembly protected against decompiling (its metadata shows an obfuscator's or protector's work); protected code cannot be maintained without its source",
        ".NET 程序集经过防反编译保护（其元数据显示经过混淆或加壳处理）；受保护的代码没有源代码无法维护",
    )
    .path(file.display())
    .rule("dotnet-protected")
    .evidence(ev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_people_and_compilers_give_are_plain() {
        for n in [
            "GetPatientByIdAsync",
            "Base64Encode",
            "HL7MessageParser",
            "XmlHttpRequest",
            "IDisposable",
            "Id",
            "UI",
            "IO",
            "获取病人信息",
            "List`1",
            "System.IDisposable.Dispose",
            "Utf8JsonReader",
            "ICD10CodeMapper",
            "GetMsgCntByDeptId",
            "XMLHttpRequestHandler",
            "PatientAdmissionDischargeTransfer",
            "IOrderRepositoryFactory",
            "DrugInteractionCheckerV2",
            "btnSaveClick",
            "txtPatientName_TextChanged",
            "InitializeComponent",
            "SqlConnectionStringBuilder",
        ] {
            assert!(shape(n) == Shape::Plain, "{n}");
        }
        assert!(!counted("<Main>b__0_0") && !counted(".ctor") && counted("Main"));
        assert!(!counted("?A0x1f2e3d4c") && !counted("?Run@@YAXXZ"));
        assert!(!counted("__StaticArrayInitTypeSize=16") && !counted("$$method0x6000001-1"));
        assert!(!counted(&"E3B0C442".repeat(8)));
        for n in ["clo@12", "|Even|Odd|", "adds two numbers", "$VB$Local_x"] {
            assert!(shape(n) == Shape::Plain, "{n}");
        }
    }

    #[test]
    fn names_obfuscators_give_are_junk() {
        assert!(shape("a") == Shape::Tiny && shape("ab") == Shape::Tiny);
        assert!(shape("\u{200b}\u{200c}\u{202e}") == Shape::Odd);
        assert!(shape("\u{1}") == Shape::Odd);
        assert!(shape("\u{e001}\u{e002}") == Shape::Odd);
        assert!(shape("dk7RdWW1rjb6oqmxZ8") == Shape::Random);
        // Random names of 16 to 24 characters: nearly all look random.
        let alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut random = 0;
        for i in 0..200 {
            let name: String = (0..16 + i % 9)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    char::from(alphabet[usize::try_from(x % 62).unwrap()])
                })
                .collect();
            random += usize::from(shape(&name) == Shape::Random);
        }
        assert!(random >= 180, "{random} of 200");
        assert_eq!(shown("\u{200b}a"), "\\u{200b}a");
    }

    #[test]
    fn public_key_tokens() {
        // The ECMA standard key.
        let mut ecma = [0u8; 16];
        ecma[8] = 4;
        assert_eq!(public_key_token(&ecma), "b77a5c561934e089");
        assert_eq!(
            publisher("b77a5c561934e089", "System.Data"),
            Some("Microsoft (ECMA)")
        );
        assert_eq!(publisher("0123456789abcdef", "System.Data"), None);
        // A public key in the vendor's own assembly proves nothing.
        assert_eq!(publisher("b77a5c561934e089", "Acme.His.Lab"), None);
    }

    #[test]
    fn what_is_not_an_assembly_is_not_read() {
        assert!(read(b"").is_none());
        assert!(read(b"MZ\x90\0").is_none());
        let mut pe = vec![0u8; 0x200];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c] = 0x40;
        pe[0x40..0x44].copy_from_slice(b"PE\0\0");
        // A huge section count and offsets beyond the file: nothing read, no panic.
        pe[0x46] = 0xff;
        pe[0x58] = 0x0b;
        pe[0x59] = 0x01;
        for b in &mut pe[0x100..] {
            *b = 0xff;
        }
        assert!(read(&pe).is_none());
    }
}
