//! Obfuscation (`source-obfuscated`): .NET assemblies processed by an obfuscator, ProGuard-style
//! name-mangled Java classes, minified bundles whose source is not delivered, javascript-obfuscator
//! output (by its structure, whatever its names), and the obfuscation line rules.

use std::collections::BTreeSet;

use super::LineCode;
use crate::finding::Finding;
use crate::scan::facts::FileFacts;
use crate::scan::inspect::FileScan;
use crate::scan::post::{Tree, fname, parent_of};

/// How the line engine treats obfuscation rules: once per file, not in third-party code
/// (published libraries ship minified or obfuscated builds).
pub(super) const LINE: LineCode = LineCode {
    code: "source-obfuscated",
    once_per_file: true,
    skip_third_party: true,
    text: |en, zh| (en.to_owned(), zh.to_owned()),
};

/// Marker strings .NET obfuscators leave in the assemblies they process.
pub(in crate::scan) const DOTNET_MARKERS: &[(&str, &str)] = &[
    ("ConfusedByAttribute", "ConfuserEx"),
    ("ConfuserEx", "ConfuserEx"),
    ("DotfuscatorAttribute", "Dotfuscator"),
    ("SmartAssembly.Attributes", "SmartAssembly"),
    ("PoweredByAttribute", "SmartAssembly"),
    ("Eazfuscator", "Eazfuscator.NET"),
    ("BabelObfuscatorAttribute", "Babel Obfuscator"),
    ("BabelAttribute", "Babel Obfuscator"),
    ("CryptoObfuscator", "Crypto Obfuscator"),
    ("ObfuscatedByGoliath", "Goliath .NET"),
    ("Xenocode.Client", "Xenocode"),
    ("YanoAttribute", "Yano"),
    ("AgileDotNetRT", "Agile.NET"),
    ("NETGuard", ".NETGuard"),
    ("DNGuard", "DNGuard HVM"),
    ("MaxtoCodeAttribute", "MaxtoCode"),
    ("ObfuscatedByCliSecureAttribute", "Agile.NET"),
    ("ProcessedByXenocode", "Xenocode"),
    ("NineRays.Obfuscator", "Spices.Net"),
    ("ILProtector", "ILProtector"),
];

/// `source-obfuscated`: a .NET assembly holding the markers an obfuscator leaves.
pub(in crate::scan) fn dotnet_markers(file: &FileScan<'_>) -> Option<Finding> {
    let s = file.scanner;
    let mut tools: Vec<&str> = Vec::new();
    let mut seen_markers: Vec<&str> = Vec::new();
    for m in s.markers.find_iter(&file.body) {
        let (marker, tool) = DOTNET_MARKERS[m.pattern().as_usize()];
        if !seen_markers.contains(&marker) {
            seen_markers.push(marker);
        }
        if !tools.contains(&tool) {
            tools.push(tool);
        }
    }
    if tools.is_empty() {
        return None;
    }
    Some(
        Finding::of(
            crate::scan::codes::ScanCode::SourceObfuscated,
            format!(
                ".NET assembly processed by an obfuscator ({}); obfuscated code cannot be maintained without its source",
                tools.join(", ")
            ),
            format!(
                ".NET 程序集经混淆器处理（{}）；混淆后的代码没有源代码无法维护",
                tools.join("、")
            ),
        )
        .path(file.display())
        .rule("dotnet-obfuscator")
        .evidence(
            seen_markers
                .iter()
                .map(|m| format!("marker: {m}"))
                .collect(),
        ),
    )
}

/// ProGuard-style name mangling: most class names one or two letters long.
pub(in crate::scan) fn mangled(display: &str, classes: &[String]) -> Option<Finding> {
    let outer: BTreeSet<&str> = classes
        .iter()
        .map(|c| c.rsplit('/').next().unwrap_or(c))
        .map(|c| c.split('$').next().unwrap_or(c))
        .filter(|c| *c != "package-info" && *c != "module-info")
        .collect();
    if outer.len() < 10 {
        return None;
    }
    let short: Vec<&&str> = outer.iter().filter(|c| mangled_name(c)).collect();
    if short.len() * 10 < outer.len() * 6 {
        return None;
    }
    Some(
        Finding::of(
            crate::scan::codes::ScanCode::SourceObfuscated,
            "name-mangled Java classes (ProGuard-style obfuscation): most class names are one or two letters, or made of look-alike letters (IlIl, O0o)",
            "Java 类名经过混淆（ProGuard 类混淆）：大多数类名只有一两个字母，或由形近字符（IlIl、O0o）组成",
        )
        .path(display.to_owned())
        .rule("java-name-mangling")
        .evidence(vec![format!(
            "{} of {} classes have mangled names (one letter, two lower-case letters, or look-alike letters), e.g. {}",
            short.len(),
            outer.len(),
            short.iter().take(5).map(|s| format!("{s}.class")).collect::<Vec<_>>().join(", ")
        )]),
    )
}

/// A class name an obfuscator made: one letter, two lower-case letters (`a`, `ab`: ProGuard's
/// sequence), or letters that look alike (`IlIIl`, `O0O0o`: a dictionary). Ordinary short names
/// (`Id`, `UI`, `IO`) are not.
fn mangled_name(name: &str) -> bool {
    let n = name.chars().count();
    if n == 1 {
        return true;
    }
    if n == 2 {
        return name.chars().all(|c| c.is_ascii_lowercase());
    }
    let look_alike = |set: &str| name.chars().all(|c| set.contains(c));
    n >= 3
        && (look_alike("Il1i|") || look_alike("O0o") || look_alike("Il1_") || look_alike("O0o_"))
        && name.chars().collect::<BTreeSet<_>>().len() >= 2
}

/// A JavaScript or CSS file that is minified: `.min.` in its name, or few very long lines.
pub(in crate::scan) fn minified(name: &str, f: &FileFacts) -> bool {
    let lower = name.to_lowercase();
    if lower.contains(".min.") {
        return true;
    }
    f.lines > 0 && f.longest_line >= 1000 && f.longest_line * f.lines.min(20) > 4000
}

/// `source-obfuscated`: a minified JavaScript or CSS bundle (`name`, its facts `f`) whose source
/// is not delivered.
pub(in crate::scan) fn minified_without_source(
    tree: &Tree<'_>,
    path: &[u8],
    display: &str,
    f: &FileFacts,
) -> Option<Finding> {
    let name = fname(path);
    // A well-known library, identified by its content, is vendored code.
    if !minified(&name, f)
        || f.banner
        || f.library.is_some()
        || bundle_has_source(tree, path, &name)
    {
        return None;
    }
    Some(
        Finding::of(
            crate::scan::codes::ScanCode::SourceObfuscated,
            "minified bundle whose source is not in the delivery: minified code cannot be maintained",
            "压缩（minified）后的前端代码，交付物中没有其源代码：压缩代码无法维护",
        )
        .path(display.to_owned())
        .rule("minified-without-source")
        .evidence(vec![format!(
            "{} lines, longest {} characters; no un-minified sibling, source map or front-end source files (.js/.ts/.vue outside dist/build folders) were delivered",
            f.lines, f.longest_line
        )]),
    )
}

/// A minified bundle is fine when its source is delivered: an un-minified sibling, a source
/// map, or front-end sources elsewhere in the delivery.
fn bundle_has_source(tree: &Tree<'_>, path: &[u8], name: &str) -> bool {
    let dir = parent_of(std::str::from_utf8(path).unwrap_or(""));
    let plain = name.replace(".min.", ".");
    let sibling = |n: &str| -> bool {
        let p = if dir.is_empty() {
            n.to_owned()
        } else {
            format!("{dir}/{n}")
        };
        tree.facts.contains_key(p.as_bytes())
    };
    (plain != name && sibling(&plain))
        || sibling(&format!("{name}.map"))
        || tree.front_end_sources >= 3
}

/// Build-tool configuration written in JavaScript: not front-end source.
pub(in crate::scan) fn is_tool_config(name: &str) -> bool {
    let n = name.to_lowercase();
    n.contains(".config.")
        || n.starts_with('.')
        || n.starts_with("gulpfile")
        || n.starts_with("gruntfile")
        || n.starts_with("webpack")
        || n.starts_with("rollup")
        || n.starts_with("karma")
        || n.starts_with("jest")
}

/// Extensions of files that may hold javascript-obfuscator output.
const SCRIPT_EXTENSIONS: &[&str] = &["js", "mjs", "cjs", "html", "htm"];
/// Line rules a file identified as a known library is not reported for: libraries ship packed
/// builds and escaped tables.
const LIBRARY_EXEMPT_RULES: &[&str] = &["js-packer", "hex-escaped-strings", "hex-escaped-property"];
/// Heuristic credential and backdoor rules that read a published library's own code (a
/// `passwordChar` option, `eval` of an option string, right-to-left text support) as the
/// vendor's: not applied to a file identified as a well-known library. Rules for specific
/// secrets (private keys, cloud keys, tokens) still are.
const LIBRARY_HEURISTIC_RULES: &[&str] = &[
    "code-password",
    "json-password",
    "config-password",
    "connection-string-password",
    "hardcoded-credential-compare",
    "dynamic-code-js",
    "dynamic-code-js-variable",
    "trojan-source-bidi",
    "date-kill-switch",
];
/// Rules of front-end obfuscation that the javascript-obfuscator finding takes the place of.
const FRONT_END_RULES: &[&str] = &[
    "js-obfuscator-identifiers",
    "js-packer",
    "hex-escaped-strings",
    "hex-escaped-property",
];

/// Front-end code once its line rules have run: identify a known library by content (recorded
/// in `facts`), spare it the packer and escape rules, drop escaped-string findings that are
/// data tables, and report javascript-obfuscator structure (also in a library's file).
pub(in crate::scan) fn front_end(
    file: &FileScan<'_>,
    third_party: bool,
    findings: &mut Vec<Finding>,
    facts: &mut FileFacts,
) {
    if third_party {
        return;
    }
    let text = &file.body;
    if matches!(file.ext.as_str(), "js" | "mjs" | "cjs" | "css") {
        facts.library =
            super::libraries::identify(text).filter(|l| super::libraries::named_as(l, &file.named));
    }
    let is_rule = |f: &Finding, ids: &[&str]| f.rule.as_deref().is_some_and(|r| ids.contains(&r));
    if facts.library.is_some() {
        findings.retain(|f| !is_rule(f, LIBRARY_EXEMPT_RULES));
        // A published build (minified, or with its banner), not a source file of the vendor's
        // that happens to be named after a library.
        let name = String::from_utf8_lossy(crate::delivery::names::file_name(&file.named));
        if minified(&name, facts) || facts.banner {
            findings.retain(|f| !is_rule(f, LIBRARY_HEURISTIC_RULES));
        }
    }
    if findings
        .iter()
        .any(|f| is_rule(f, &["hex-escaped-strings"]))
        && escapes_are_data(
            text,
            matches!(file.ext.as_str(), "js" | "mjs" | "cjs" | "ts"),
        )
    {
        findings.retain(|f| !is_rule(f, &["hex-escaped-strings"]));
    }
    if !SCRIPT_EXTENSIONS.contains(&file.ext.as_str()) {
        return;
    }
    if let Some(shape) = StringArrayShape::of(text)
        && shape.is_obfuscated()
    {
        let also: Vec<String> = findings
            .iter()
            .filter(|f| is_rule(f, FRONT_END_RULES))
            .filter_map(|f| f.rule.clone())
            .collect();
        findings.retain(|f| !is_rule(f, FRONT_END_RULES));
        findings.push(shape.finding(file.display(), facts.library.as_deref(), &also));
    }
}

/// What javascript-obfuscator's string-array transformation leaves in a file, whatever the
/// names it gives (`_0x3f2a` by default, `a`, `b`, … with `identifierNamesGenerator: 'mangled'`):
/// an array literal of the program's strings, a function rotating it (`push` of `shift`), a
/// decoder taking away an offset (`c=c-0x0`), and many calls of the decoder with hexadecimal
/// indexes (`b('0x1a')`, `_0x4e5f(0x1e2)`).
struct StringArrayShape {
    /// Strings in the largest array literal of strings.
    array: usize,
    rotation: bool,
    offset: bool,
    /// Calls with hexadecimal index arguments, of the functions called so at least twice
    /// (javascript-obfuscator 4 gives each function its own alias of the decoder).
    calls: usize,
    /// Of those, calls whose index is a quoted hexadecimal number (`b('0x1a')`).
    quoted_calls: usize,
    /// The function called most often so, and how often.
    decoder: (String, usize),
    /// Distinct `_0x…` names.
    hex_names: usize,
}

fn shape_regexes() -> &'static [regex::bytes::Regex; 5] {
    static RE: std::sync::OnceLock<[regex::bytes::Regex; 5]> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        let str_lit = r#"(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"#;
        let hex = r#"(?:'0x[0-9a-fA-F]{1,6}'|"0x[0-9a-fA-F]{1,6}"|0x[0-9a-fA-F]{1,6})"#;
        let arg = format!(r#"(?:-\s*)?(?:{hex}|'[^'\\\n]{{0,8}}'|"[^"\\\n]{{0,8}}"|0x[0-9a-fA-F]{{1,8}})"#);
        [
            format!(r"\[\s*(?:{str_lit}\s*,\s*){{9,}}{str_lit}"),
            r#"[\w$]+(?:\[\s*['"]push['"]\s*\]|\.push)\(\s*[\w$]+(?:\[\s*['"]shift['"]\s*\]|\.shift)\(\s*\)\s*\)"#.to_owned(),
            r"([A-Za-z_$][\w$]*)\s*=\s*([A-Za-z_$][\w$]*)\s*-\s*\(?\s*-?\s*0x[0-9a-fA-F]+".to_owned(),
            format!(
                r#"(?:^|[^\w$.])[A-Za-z_$][\w$]*\(\s*(?:-\s*)?(?:['"]0x[0-9a-fA-F]{{1,6}}['"]|0x[0-9a-fA-F]{{1,6}})\s*(?:,\s*{arg}\s*){{0,2}}\)"#
            ),
            r"\b_0x[0-9a-f]{4,6}\b".to_owned(),
        ]
        .map(|r| regex::bytes::Regex::new(&r).expect("valid regex"))
    })
}

/// Bytes of a long script's start and of its end that its shape is read from.
const SHAPE_WINDOW: usize = 1 << 20;

/// The callee of a call matched by the call pattern (`(b('0x1a')` → `b`), and whether its
/// first argument is quoted.
fn callee(call: &[u8]) -> (&[u8], bool) {
    let ident = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$');
    let start = usize::from(call.first().is_some_and(|b| !ident(b)));
    let open = memchr::memchr(b'(', &call[start..]).map_or(call.len(), |i| start + i);
    let quoted = call[open..]
        .iter()
        .find(|b| !b.is_ascii_whitespace() && **b != b'(' && **b != b'-')
        .is_some_and(|b| matches!(b, b'\'' | b'"'));
    (&call[start..open], quoted)
}

/// Callees that take hexadecimal numbers in ordinary code.
const ORDINARY_HEX_CALLEES: &[&str] = &[
    "fromCharCode",
    "fromCodePoint",
    "parseInt",
    "Number",
    "String",
    "Array",
    "toString",
    "push",
    "charAt",
    "setTimeout",
    "setInterval",
    "Uint8Array",
    "Uint32Array",
    "BigInt",
    "writeUInt8",
    "writeUInt32",
    "and",
    "or",
    "xor",
];

impl StringArrayShape {
    /// The shape of `text`, or `None` when it has too few hexadecimal literals to be
    /// javascript-obfuscator output (the cheap test every script passes through).
    fn of(text: &[u8]) -> Option<StringArrayShape> {
        if memchr::memmem::find_iter(text, b"0x").take(12).count() < 12 {
            return None;
        }
        // Bounded work: the string array, its rotation and decoder sit at the start or the end
        // of the output, and a few thousand calls say enough.
        let parts: Vec<&[u8]> = if text.len() <= 2 * SHAPE_WINDOW {
            vec![text]
        } else {
            vec![&text[..SHAPE_WINDOW], &text[text.len() - SHAPE_WINDOW..]]
        };
        let [array_re, rotation_re, offset_re, call_re, name_re] = shape_regexes();
        let mut shape = StringArrayShape {
            array: 0,
            rotation: false,
            offset: false,
            calls: 0,
            quoted_calls: 0,
            decoder: (String::new(), 0),
            hex_names: 0,
        };
        // Per callee: calls, and calls with a quoted index.
        let mut callees: std::collections::HashMap<&[u8], (usize, usize)> =
            std::collections::HashMap::new();
        let mut hex_names: BTreeSet<&[u8]> = BTreeSet::new();
        for part in parts {
            shape.array = array_re
                .find_iter(part)
                .map(|m| count_strings(m.as_bytes()))
                .chain([shape.array])
                .max()
                .unwrap_or(0);
            // `c=c-0x0`: the same name on both sides.
            shape.offset |= offset_re.captures_iter(part).any(|c| c[1] == c[2]);
            shape.rotation |= rotation_re.is_match(part);
            for m in call_re.find_iter(part) {
                let (name, quoted) = callee(m.as_bytes());
                let e = callees.entry(name).or_default();
                e.0 += 1;
                e.1 += usize::from(quoted);
            }
            hex_names.extend(name_re.find_iter(part).map(|m| m.as_bytes()));
        }
        shape.hex_names = hex_names.len();
        let frequent = callees.into_iter().filter(|(n, (k, _))| {
            *k >= 2 && !ORDINARY_HEX_CALLEES.contains(&String::from_utf8_lossy(n).as_ref())
        });
        for (n, (k, q)) in frequent {
            shape.calls += k;
            shape.quoted_calls += q;
            let n = String::from_utf8_lossy(n).into_owned();
            if k > shape.decoder.1 || (k == shape.decoder.1 && n < shape.decoder.0) {
                shape.decoder = (n, k);
            }
        }
        Some(shape)
    }

    /// Whether the signs add up to javascript-obfuscator output: the decoder (its offset, or
    /// quoted hexadecimal indexes as in `b('0x1a')`, which no one writes by hand) called often,
    /// with the array or its rotation; or the rotation and the offset together, with the array
    /// or a few decoder calls (a small snippet obfuscated on its own).
    /// An array of strings, a queue rotated by `push(shift())` and many calls taking a
    /// hexadecimal number (a device protocol) are each ordinary code.
    fn is_obfuscated(&self) -> bool {
        let array = self.array >= 10;
        (self.calls >= 20 && self.offset && (array || self.rotation))
            || (self.quoted_calls >= 20 && (array || self.rotation || self.offset))
            || (self.rotation && self.offset && (array || self.calls >= 5))
    }

    fn finding(&self, display: String, library: Option<&str>, also: &[String]) -> Finding {
        let mut evidence = Vec::new();
        if self.array > 0 {
            evidence.push(format!(
                "an array literal of {} strings (the string array)",
                self.array
            ));
        }
        if self.rotation {
            evidence.push("a function rotating that array (push of shift)".to_owned());
        }
        if self.offset {
            evidence.push("a decoder subtracting a hexadecimal offset from its index".to_owned());
        }
        if self.calls > 0 {
            evidence.push(format!(
                "{} calls with hexadecimal indexes, {} of them to `{}`",
                self.calls, self.decoder.1, self.decoder.0
            ));
        }
        if self.hex_names > 0 {
            evidence.push(format!("{} distinct _0x… names", self.hex_names));
        }
        if let Some(lib) = library {
            evidence.push(format!(
                "the file also holds the signatures of {lib}: a library's name does not exempt obfuscated code"
            ));
        }
        if !also.is_empty() {
            evidence.push(format!("also matched: {}", also.join(", ")));
        }
        Finding::of(
            crate::scan::codes::ScanCode::SourceObfuscated,
            "javascript-obfuscator output (string array, rotation and decoder calls): obfuscated code cannot be maintained without its source",
            "javascript-obfuscator 混淆输出（字符串数组、数组轮转与解码函数调用）：混淆后的代码没有源代码无法维护",
        )
        .path(display)
        .rule("javascript-obfuscator")
        .evidence(evidence)
    }
}

/// String literals in an array literal's text.
fn count_strings(array: &[u8]) -> usize {
    let mut n = 0;
    let mut quote = None;
    let mut escaped = false;
    for &b in array {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if b == b'\\' => escaped = true,
            Some(q) if b == q => quote = None,
            None if b == b'\'' || b == b'"' => {
                quote = Some(b);
                n += 1;
            }
            _ => {}
        }
    }
    n
}

/// Runs of `\xNN` escapes at least this long are judged (the `hex-escaped-strings` rule's).
const ESCAPE_RUN: usize = 12;

/// Whether the long runs of `\xNN` escapes in a file are data rather than hidden code: most of
/// them are Chinese text (GBK / GB18030 or UTF-8: an encoding or pinyin table) or, in a script
/// (`tables`), byte values (a CRC or code-page table), and fewer than 20 decode to ASCII text
/// (escaped identifiers, `eval`, URLs) or to a compressed payload.
pub(in crate::scan) fn escapes_are_data(text: &[u8], tables: bool) -> bool {
    let mut code = 0usize;
    let mut runs = 0usize;
    let mut i = 0;
    while let Some(p) = memchr::memmem::find(&text[i..], b"\\x") {
        let start = i + p;
        let mut bytes = Vec::new();
        let mut j = start;
        while j + 4 <= text.len() && text[j] == b'\\' && text[j + 1] == b'x' {
            let Some(v) = std::str::from_utf8(&text[j + 2..j + 4])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            else {
                break;
            };
            bytes.push(v);
            j += 4;
        }
        i = j.max(start + 2);
        if bytes.len() < ESCAPE_RUN {
            continue;
        }
        runs += 1;
        let ascii = bytes
            .iter()
            .filter(|b| b.is_ascii_graphic() || matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .count();
        let text = ascii * 10 >= bytes.len() * 9;
        if text || !(chinese_text(&bytes) || (tables && !compressed(&bytes))) {
            code += 1;
        }
    }
    runs > 0 && code < 20 && code * 2 < runs
}

/// Escaped bytes that read as Chinese text: GBK / GB18030 or UTF-8 without a decoding error,
/// at least half of its characters CJK.
fn chinese_text(bytes: &[u8]) -> bool {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => {
            match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
                Some(t) => t,
                None => return false,
            }
        }
    };
    let (mut all, mut cjk) = (0usize, 0usize);
    for c in text.chars() {
        all += 1;
        if matches!(u32::from(c), 0x3000..=0x303f | 0x3400..=0x9fff | 0xf900..=0xfaff | 0xff00..=0xffef)
        {
            cjk += 1;
        }
    }
    all > 0 && cjk * 2 >= all
}

/// Escaped bytes that start like gzip or zlib data: a payload to inflate and run.
fn compressed(bytes: &[u8]) -> bool {
    matches!(
        bytes,
        [0x1f, 0x8b, ..] | [0x78, 0x01 | 0x5e | 0x9c | 0xda, ..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(bytes: &[u8]) -> String {
        bytes.iter().fold(String::new(), |mut s, b| {
            let _ = std::fmt::Write::write_fmt(&mut s, format_args!("\\x{b:02x}"));
            s
        })
    }

    #[test]
    fn escapes_are_judged_by_what_they_say() {
        // GBK text: 啊阿埃挨哎唉哀皑癌蔼矮艾.
        let (gbk, _, _) = encoding_rs::GBK.encode("啊阿埃挨哎唉哀皑癌蔼矮艾碍爱隘");
        let table = format!("var t = \"{}\";\n", escaped(&gbk)).repeat(30);
        assert!(escapes_are_data(table.as_bytes(), false));
        let code = format!("var s = \"{}\";\n", escaped(b"document.cookie")).repeat(30);
        assert!(!escapes_are_data(code.as_bytes(), true));
        // Byte values: a table in a script; a compressed payload is not.
        let crc: Vec<u8> = (0u8..16).map(|b| b.wrapping_mul(0x1d) | 0x80).collect();
        let crc = format!("t.push(\"{}\");\n", escaped(&crc)).repeat(30);
        assert!(escapes_are_data(crc.as_bytes(), true));
        assert!(!escapes_are_data(crc.as_bytes(), false));
        let gz = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xcb, 0x48, 0xcd, 0xc9];
        let gz = format!("$p = \"{}\";\n", escaped(&gz)).repeat(30);
        assert!(!escapes_are_data(gz.as_bytes(), true));
        // Mostly a table, but a majority decides only below 20 escaped strings of text.
        let mixed = format!(
            "{table}{}",
            format!("x(\"{}\");\n", escaped(b"eval(atob(x))")).repeat(20)
        );
        assert!(!escapes_are_data(mixed.as_bytes(), true));
    }

    #[test]
    fn a_small_snippet_obfuscated_on_its_own() {
        let calls: Vec<String> = (0..6)
            .map(|i| format!("parseInt(d(0x{:x}))/0x{:x}", 0x1d4 + i, i + 1))
            .collect();
        let js = format!(
            "function s(){{const a=['x1','x2','x3','x4','x5','x6'];s=function(){{return a;}};return s();}}\
             (function(b,c){{const d=f,e=b();while(!![]){{try{{const g={};if(g===c)break;else e['push'](e['shift']());}}catch(h){{e['push'](e['shift']());}}}}}}(s,0x5ea4b));\
             function f(i,j){{const k=s();return f=function(l,m){{l=l-0x1d4;let n=k[l];return n;}},f(i,j);}}",
            calls.join("+")
        );
        let shape = StringArrayShape::of(js.as_bytes()).expect("hexadecimal literals");
        assert!(shape.rotation && shape.offset && shape.calls == 6, "{js}");
        assert!(shape.is_obfuscated());
        // Without its offset, a rotated queue and a few hexadecimal calls are ordinary.
        let plain = js.replace("l=l-0x1d4;", "");
        assert!(
            !StringArrayShape::of(plain.as_bytes())
                .unwrap()
                .is_obfuscated()
        );
    }

    #[test]
    fn string_arrays_and_callees() {
        assert_eq!(count_strings(br#"['a','b\'c',"d,e"]"#), 3);
        assert_eq!(callee(b"(b('0x1a')"), (&b"b"[..], true));
        assert_eq!(callee(b"_0x4e5f(0x1e2)"), (&b"_0x4e5f"[..], false));
        assert_eq!(callee(b"=f(-0x3,'ab')"), (&b"f"[..], false));
    }
}
