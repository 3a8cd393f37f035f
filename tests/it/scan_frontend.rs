//! Front-end code: javascript-obfuscator output is found by its structure whatever names it
//! uses; well-known libraries are recognised by their content (not by their file name) and not
//! reported as barriers; escaped encoding tables are not taken for escaped code. The obfuscated
//! samples and library-shaped files are generated here, at test time.

use std::fmt::Write as _;
use std::path::Path;

use crate::common::*;

const MANIFEST: &str = MODULE_MANIFEST;

fn scan(dir: &Path) -> (serde_json::Value, i32) {
    scan_with(dir, "")
}

fn scan_with(dir: &Path, extra: &str) -> (serde_json::Value, i32) {
    let mdir = tempfile::tempdir().unwrap();
    let m = manifest(mdir.path(), &format!("{MANIFEST}{extra}"));
    let run = check_json(dir, &m);
    (run.json(), run.code)
}

/// (rule, path) of every `source-obfuscated` finding, sorted.
fn obfuscated(r: &serde_json::Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = with_code(r, "source-obfuscated")
        .into_iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_owned(),
                f["path"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

/// A small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A javascript-obfuscator default name: `_0x` and 4 to 6 hex digits.
    fn hex_name(&mut self) -> String {
        let digits = 4 + (self.next() % 3) as usize;
        let n = self.next();
        format!(
            "_0x{:0width$x}",
            n & ((1 << (4 * digits)) - 1) | (1 << (4 * digits - 4)),
            width = digits
        )
    }
}

/// The strings of a small hospital front-end program, as javascript-obfuscator collects them.
const STRINGS: &[&str] = &[
    "getElementById",
    "patientName",
    "addEventListener",
    "click",
    "value",
    "/his/api/patient/query",
    "then",
    "json",
    "innerText",
    "name",
    "bedNo",
    "wardCode",
    "log",
    "querySelector",
    "#orderTable",
    "appendChild",
    "createElement",
    "tr",
    "textContent",
    "drugName",
    "dose",
    "POST",
    "/his/api/order/save",
    "stringify",
    "Content-Type",
    "application/json",
];

/// How the generated program names things and calls its decoder.
#[derive(Clone, Copy)]
enum Style {
    /// javascript-obfuscator 4 defaults: `_0x` names, the array inside a function, a
    /// `while(!![])` rotation with a parseInt checksum, calls `_0x4e5f(0x1e2)`.
    Default,
    /// `identifierNamesGenerator: 'mangled'` (older release): `var a=[…]`, a rotation IIFE,
    /// calls `b('0x1a')`.
    Mangled,
    /// `rotateStringArray: false`, mangled names: only the array, the decoder and its calls.
    NoRotation,
}

/// javascript-obfuscator-shaped output of a small program (one compact line).
fn obfuscate(style: Style, seed: u64) -> String {
    let mut g = Rng(seed);
    let base = 0x1a0 + (g.next() % 0x40) as usize;
    let (arr, dec, fun) = match style {
        Style::Default => (g.hex_name(), g.hex_name(), g.hex_name()),
        _ => ("a".to_owned(), "b".to_owned(), "c".to_owned()),
    };
    let strings: Vec<String> = STRINGS.iter().map(|s| format!("'{s}'")).collect();
    let call = |i: usize| -> String {
        match style {
            Style::Default => format!("{dec}(0x{:x})", base + i),
            _ => format!("{dec}('0x{i:x}')"),
        }
    };
    let mut out = String::new();
    match style {
        Style::Default => {
            let (a, b, c, d, e) = (
                g.hex_name(),
                g.hex_name(),
                g.hex_name(),
                g.hex_name(),
                g.hex_name(),
            );
            out.push_str(&format!(
                "function {fun}(){{var {a}=[{}];{fun}=function(){{return {a};}};return {fun}();}}",
                strings.join(",")
            ));
            out.push_str(&format!(
                "(function({b},{c}){{var {d}={dec},{e}={b}();while(!![]){{try{{var {a}=parseInt({d}(0x{:x}))/0x1+-parseInt({d}(0x{:x}))/0x2*(parseInt({d}(0x{:x}))/0x3);if({a}==={c})break;else {e}['push']({e}['shift']());}}catch({a}){{{e}['push']({e}['shift']());}}}}}}({fun},0x{:x}));",
                base + 1,
                base + 2,
                base + 3,
                g.next() % 0xfffff
            ));
            out.push_str(&format!(
                "function {dec}({b},{c}){{var {d}={fun}();return {dec}=function({a},{e}){{{a}={a}-0x{base:x};var {c}={d}[{a}];return {c};}},{dec}({b},{c});}}"
            ));
        }
        Style::Mangled | Style::NoRotation => {
            out.push_str(&format!("var {arr}=[{}];", strings.join(",")));
            if matches!(style, Style::Mangled) {
                out.push_str(&format!(
                    "(function(d,e){{var f=function(g){{while(--g){{d['push'](d['shift']());}}}};f(++e);}}({arr},0x{:x}));",
                    0x100 + g.next() % 0x100
                ));
            }
            out.push_str(&format!(
                "var {dec}=function(d,e){{d=d-0x0;var f={arr}[d];return f;}};"
            ));
        }
    }
    // The program: handlers that read fields, call the server and fill a table.
    for k in 0..8 {
        let v = match style {
            Style::Default => g.hex_name(),
            _ => format!("{fun}{k}"),
        };
        out.push_str(&format!(
            "var {v}=document[{}]({});{v}[{}]({},function(){{fetch({},{{'method':{},'body':JSON[{}]({{'name':{v}[{}]}})}})[{}](function(r){{return r[{}]();}})[{}](function(j){{document[{}]({})[{}]=j[{}]+j[{}];console[{}](j[{}]);}});}});",
            call(0),
            call(1),
            call(2),
            call(3),
            call(5 + k % 2 * 17),
            call(21),
            call(23),
            call(4),
            call(6),
            call(7),
            call(6),
            call(13),
            call(14),
            call(8),
            call(10),
            call(11),
            call(12),
            call(19 + k % 2),
        ));
    }
    out
}

#[test]
fn javascript_obfuscator_output_is_found_by_its_structure() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "web/js/order.js", obfuscate(Style::Default, 7));
    write(d, "web/js/patient.js", obfuscate(Style::Mangled, 11));
    write(d, "web/js/ward.js", obfuscate(Style::NoRotation, 13));
    // Named like a library, and holding a library's signatures: still reported.
    let disguised = format!(
        "{}var k=\"_echarts_instance_\",z={{zrender:\"5.4.4\"}},n=\"echarts\";",
        obfuscate(Style::Mangled, 17)
    );
    write(d, "web/lib/echarts.min.js", &disguised);
    // Inline in a page, not compact (a statement a line).
    write(
        d,
        "web/pages/admit.html",
        format!(
            "<html><body><script>\n{}\n</script></body></html>\n",
            obfuscate(Style::Default, 19).replace(";var ", ";\nvar ")
        ),
    );
    // Third-party code is not looked at.
    write(
        d,
        "web/node_modules/x/index.js",
        obfuscate(Style::Default, 23),
    );
    let (r, code) = scan(d);
    assert_eq!(code, 1, "{r}");
    assert_eq!(
        obfuscated(&r),
        vec![
            ("javascript-obfuscator".into(), "web/js/order.js".into()),
            ("javascript-obfuscator".into(), "web/js/patient.js".into()),
            ("javascript-obfuscator".into(), "web/js/ward.js".into()),
            (
                "javascript-obfuscator".into(),
                "web/lib/echarts.min.js".into()
            ),
            (
                "javascript-obfuscator".into(),
                "web/pages/admit.html".into()
            ),
        ],
        "{r}"
    );
    let ev = |p: &str| -> String {
        with_code(&r, "source-obfuscated")
            .into_iter()
            .find(|f| f["path"] == p)
            .map(|f| f["evidence"].to_string())
            .unwrap()
    };
    let order = ev("web/js/order.js");
    assert!(order.contains("an array literal of 26 strings"), "{order}");
    assert!(order.contains("push of shift"), "{order}");
    // Once per file: the _0x names rule is folded into this finding.
    let admit = ev("web/pages/admit.html");
    assert!(
        admit.contains("also matched: js-obfuscator-identifiers"),
        "{admit}"
    );
    let ward = ev("web/js/ward.js");
    assert!(!ward.contains("push of shift"), "{ward}");
    assert!(ward.contains("to `b`"), "{ward}");
    let lib = ev("web/lib/echarts.min.js");
    assert!(lib.contains("signatures of ECharts"), "{lib}");

    // The rule id is usable in [[allow]].
    let allow = "[[allow]]\ncode = \"source-obfuscated\"\nrule = \"javascript-obfuscator\"\npaths = [\"web/**\"]\nreason = \"obfuscated by the licensed payment SDK; source escrowed separately\"\n";
    let (r, code) = scan_with(d, allow);
    assert_eq!(obfuscated(&r), Vec::<(String, String)>::new(), "{r}");
    assert_eq!(code, 0, "{r}");
}

#[test]
fn ordinary_code_with_hexadecimal_numbers_is_not_obfuscated() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // A bedside-monitor driver: device names, a command queue rotated by push(shift()), and
    // many calls taking hexadecimal register numbers.
    let mut js = String::from(
        "var MODELS = ['PM-7000', 'PM-8000', 'PM-9000', 'iM8', 'iM50', 'uMEC10', 'uMEC12', 'BeneView T5', 'BeneView T8', 'ePM 10', 'ePM 12'];\n\
         var queue = [];\nfunction next() { queue.push(queue.shift()); }\n\
         function crc(buf) { var c = 0xffff; for (var i = 0; i < buf.length; i++) { c ^= buf[i]; } return c & 0xffff; }\n",
    );
    for reg in 0..30 {
        js.push_str(&format!(
            "function readVital{reg}() {{ return send(0x{:02x}, 0x03, MODELS[{}]); }}\n",
            0x10 + reg,
            reg % 11
        ));
    }
    write(d, "web/js/monitor.js", &js);
    // The same code minified, with its source delivered.
    let min = js.replace('\n', "").replace("  ", " ");
    write(d, "web/dist/monitor.min.js", min.repeat(3));
    write(d, "web/src/main.js", "import './monitor';\n");
    write(d, "web/src/a.js", "export const a = 1;\n");
    // A hand-written hash: hexadecimal constants everywhere, string tables.
    let mut sm3 = String::from(
        "var T = [0x79cc4519, 0x7a879d8a];\nvar NAMES = ['a','b','c','d','e','f','g','h','i','j','k'];\n",
    );
    for i in 0..40 {
        sm3.push_str(&format!(
            "W[{i}] = P1(W[{i}] ^ rotl(W[{}], 0x0f)) ^ rotl(0x{:x}, 0x07);\n",
            i + 3,
            0x1000 + i
        ));
    }
    write(d, "web/js/sm3.js", &sm3);
    let (r, code) = scan(d);
    assert_eq!(obfuscated(&r), Vec::<(String, String)>::new(), "{r}");
    assert_eq!(code, 0, "{r}");
}

/// Filler that looks like a minified library's code: long lines of short names.
fn minified_filler(seed: u64, bytes: usize) -> String {
    let mut g = Rng(seed);
    let mut s = String::new();
    while s.len() < bytes {
        let a = (b'a' + (g.next() % 26) as u8) as char;
        let b = (b'a' + (g.next() % 26) as u8) as char;
        s.push_str(&format!(
            "function {a}{b}(t,e){{var n=t.length,i=0;for(;i<n;i++)e(t[i],i);return t}}{a}.prototype.{b}{a}=function(t){{return this.{b}&&this.{b}(t)}};"
        ));
    }
    s
}

/// A library-shaped minified file: its signature strings spread through minified filler, on
/// one long line, without a licence banner.
fn library_file(signatures: &[&str], seed: u64) -> String {
    let mut out = String::from(
        "!function(t,e){\"object\"==typeof exports?module.exports=e():t.lib=e()}(this,function(){",
    );
    for (i, s) in signatures.iter().enumerate() {
        out.push_str(&minified_filler(seed + i as u64, 1500));
        out.push_str(&format!("var s{i}={};", serde_json::to_string(s).unwrap()));
    }
    out.push_str("});");
    out
}

/// My97 DatePicker's packed build: Dean Edwards' packer output with its word list.
fn my97_packed() -> String {
    let dictionary =
        "My97|WdatePicker|dpDate|$dp|var|function|this|return|document|if|else|el|value";
    let mut packed = String::from(
        "/* My97 build */\neval(function(p,a,c,k,e,d){e=function(c){return c.toString(36)};if(!''.replace(/^/,String)){while(c--)d[c.toString(a)]=k[c]||c.toString(a);k=[function(e){return d[e]}];e=function(){return'\\\\w+'};c=1};while(c--)if(k[c])p=p.replace(new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c]);return p}('",
    );
    packed.push_str(&"4 5(){6.7 8 9.a(b)}".repeat(200));
    packed.push_str(&format!("',62,13,'{dictionary}'.split('|'),0,{{}}))\n"));
    packed
}

/// Font Awesome's minified CSS, without its banner.
fn font_awesome_css() -> String {
    let mut css = String::from(
        "@font-face{font-family:'FontAwesome';src:url(../fonts/fontawesome-webfont.eot?v=4.7.0)}.fa{display:inline-block;font:normal normal normal 14px/1 FontAwesome}.fa-spin{animation:fa-spin 2s infinite linear}",
    );
    for i in 0..120 {
        let _ = write!(css, ".fa-icon{i}:before{{content:\"\\f{i:03x}\"}}");
    }
    css
}

#[test]
fn known_libraries_are_recognised_by_content() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // ECharts without its banner.
    write(
        d,
        "web/static/echarts.min.js",
        library_file(
            &["_echarts_instance_", "zrender", "__ec_inner_", "echarts"],
            1,
        )
        .replace("var s1=", "var version=\"5.4.3\",s1="),
    );
    // My97 DatePicker's packed build.
    let packed = my97_packed();
    write(d, "web/My97DatePicker/WdatePicker.js", &packed);
    // Other libraries, minified, no banner, under first-party paths.
    let libs: &[(&str, &[&str])] = &[
        (
            "web/js/jquery.js",
            &[
                "jQuery requires a window with a document",
                "Syntax error, unrecognized expression: ",
                "Sizzle",
                "jQuery",
            ],
        ),
        (
            "web/js/vue.min.js",
            &[
                "__VUE_DEVTOOLS_GLOBAL_HOOK__",
                "__v_skip",
                "_isVue",
                "__vue__",
            ],
        ),
        (
            "web/js/lodash.min.js",
            &[
                "__lodash_hash_undefined__",
                "__lodash_placeholder__",
                "lodash",
            ],
        ),
        ("web/js/crypto-js.js", &["CryptoJS", "Malformed UTF-8 data"]),
        (
            "web/js/xlsx.full.min.js",
            &[
                "SheetJS",
                "xl/workbook.xml",
                "[Content_Types].xml",
                "sheet_to_json",
            ],
        ),
    ];
    for (i, (path, sigs)) in libs.iter().enumerate() {
        write(d, path, library_file(sigs, 100 + i as u64));
    }
    // Font Awesome's minified CSS without its banner.
    let css = font_awesome_css();
    write(d, "web/css/font-awesome.min.css", &css);
    // A minified jQuery plugin whose first comment says what it is.
    let plugin_code = format!(
        "(function($){{$.fn.treeTable=function(o){{var s=$.extend({{}},o);{}return this}}}})(jQuery);",
        minified_filler(300, 3000)
    );
    write(
        d,
        "web/js/jquery.treetable.min.js",
        format!("/* jQuery treeTable plugin */\n{plugin_code}"),
    );
    let (r, code) = scan(d);
    assert_eq!(obfuscated(&r), Vec::<(String, String)>::new(), "{r}");
    assert_eq!(code, 0, "{r}");

    // The same shapes without the signatures are first-party code: reported.
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "web/static/echarts.min.js",
        library_file(&["a", "b", "c", "d"], 1),
    );
    write(
        d,
        "web/My97DatePicker/WdatePicker.js",
        packed.replace("My97|WdatePicker|dpDate|$dp", "Ward|Bed|dpWard|$bed"),
    );
    let (r, code) = scan(d);
    assert_eq!(code, 1);
    assert_eq!(
        obfuscated(&r),
        vec![
            (
                "js-packer".into(),
                "web/My97DatePicker/WdatePicker.js".into()
            ),
            (
                "minified-without-source".into(),
                "web/static/echarts.min.js".into()
            ),
        ],
        "{r}"
    );
}

#[test]
fn encoding_tables_are_not_escaped_code() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // A GBK table: every GB2312 level-1 hanzi, written as \x escapes, 40 characters a line.
    let mut table = String::from("// GBK code table for pinyin lookup\nvar gbk = \"\" +\n");
    for hi in 0xb0u8..=0xd7 {
        let mut line = String::from("  \"");
        for lo in 0xa1u8..=0xfe {
            line.push_str(&format!("\\x{hi:02x}\\x{lo:02x}"));
        }
        line.push_str("\" +\n");
        table.push_str(&line);
    }
    table.push_str("  \"\";\n");
    write(d, "web/js/pinyin.js", &table);
    // Byte values of a CRC table.
    let mut crc = String::from("var crcTable = [\n");
    for row in 0..24u32 {
        crc.push_str("  \"");
        for i in 0..16u32 {
            crc.push_str(&format!(
                "\\x{:02x}",
                (row * 16 + i).wrapping_mul(0x9d) & 0xff | 0x80
            ));
        }
        crc.push_str("\",\n");
    }
    crc.push_str("];\n");
    write(d, "web/js/crc.js", &crc);
    // An ordinary jQuery plugin source and a webpack bundle of vendor code with its sources.
    write(
        d,
        "web/js/jquery.his-grid.js",
        "/* His grid: a jQuery plugin for ward tables */\n(function($){\n  $.fn.hisGrid = function(options){\n    var settings = $.extend({ rows: 20 }, options);\n    return this.each(function(){ $(this).addClass('his-grid').data('rows', settings.rows); });\n  };\n})(jQuery);\n",
    );
    let bundle = format!(
        "!function(e){{var t={{}};function n(r){{if(t[r])return t[r].exports}}n.m=e}}([function(e,t,n){{{}}}]);",
        "var a=n(3),b=a.default,c=0x1f&b;".repeat(400)
    );
    write(d, "web/dist/vendor.js", &bundle);
    write(
        d,
        "web/src/main.js",
        "import Vue from 'vue';\nnew Vue({});\n",
    );
    write(d, "web/src/App.vue", "<template><div/></template>\n");
    write(d, "web/src/router.js", "export default [];\n");
    let (r, code) = scan(d);
    assert_eq!(obfuscated(&r), Vec::<(String, String)>::new(), "{r}");
    assert_eq!(code, 0, "{r}");

    // Escaped code: "eval", "document.cookie", a URL, as \x escapes, in 25 strings.
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let words = [
        "window.location.href",
        "document.cookie",
        "http://10.1.2.3/c.php?k=",
    ];
    let mut js = String::new();
    for i in 0..25 {
        let w = words[i % words.len()];
        let esc = w.bytes().fold(String::new(), |mut e, b| {
            let _ = write!(e, "\\x{b:02x}");
            e
        });
        js.push_str(&format!("var s{i}=\"{esc}\";\n"));
    }
    write(d, "web/js/track.js", &js);
    // Escaped bytes of a compressed payload.
    let mut php = String::from("<?php\n");
    let mut g = Rng(5);
    for i in 0..25 {
        let mut esc = String::from("\\x1f\\x8b\\x08\\x00");
        for _ in 0..40 {
            let _ = write!(esc, "\\x{:02x}", g.next() & 0xff);
        }
        let _ = writeln!(php, "$p{i} = \"{esc}\";");
    }
    write(d, "api/cache.php", &php);
    let (r, _) = scan(d);
    assert_eq!(
        obfuscated(&r),
        vec![
            ("hex-escaped-strings".into(), "api/cache.php".into()),
            ("hex-escaped-strings".into(), "web/js/track.js".into()),
        ],
        "{r}"
    );
}

#[test]
fn a_library_s_own_options_and_evals_are_not_the_vendor_s_credentials_or_backdoors() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // jQuery EasyUI, minified: a password box option, an eval of an option string, and
    // right-to-left text support (a bidi control character).
    let mut lib = library_file(
        &[
            "EasyUI",
            "easyui-",
            "datagrid-",
            "combobox-",
            "panel-header",
        ],
        41,
    );
    lib.push_str("\n$.fn.passwordbox.defaults=$.extend({},$.fn.textbox.defaults,{passwordChar:\"%u25CF\",checkInterval:200});\n");
    lib.push_str("var fn=eval(opts.onLoad);\n");
    lib.push_str("var rtl=\"\u{202B}\";\n");
    write(d, "web/lib/easyui/jquery.easyui.min.js", &lib);
    // The vendor's own code with the same lines is reported.
    write(
        d,
        "web/src/login.js",
        "var opts = load();\nvar fn = eval(opts.onLoad);\nvar payload = eval(atob(opts.code));\n",
    );
    let (r, _) = scan(d);
    let backdoors: Vec<(String, String, String)> = with_code(&r, "backdoor-suspect")
        .into_iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["rule"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let own = |rule: &str, sev: &str| {
        (
            "web/src/login.js".to_owned(),
            rule.to_owned(),
            sev.to_owned(),
        )
    };
    // eval of decoded data is warn; eval of a variable (old-style JSON parsing, dispatch) is
    // listed at info.
    assert_eq!(
        backdoors,
        [
            own("dynamic-code-js", "warn"),
            own("dynamic-code-js-variable", "info")
        ],
        "{r}"
    );
    assert_eq!(with_code(&r, "credential-hardcoded").len(), 0, "{r}");
}

#[test]
fn a_vendor_file_that_uses_a_library_is_not_the_library() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // The vendor's login code imports crypto-js and calls My97's WdatePicker: the library's
    // signature strings are in it, but it is not the library, and every rule still applies.
    write(
        d,
        "web/src/login.js",
        "import CryptoJS from 'crypto-js';\n// Malformed UTF-8 data is rejected by CryptoJS\nfunction check(user, password) {\n  if (user == 'admin' && password == 'Hx9kq2Lm7z') { return true; }\n  WdatePicker({ el: 'd', dateFmt: 'yyyy-MM-dd' }); $dp.hide();\n  return eval(atob(window.payload));\n}\n",
    );
    let (r, _) = scan(d);
    let rules: Vec<&str> = with_code(&r, "backdoor-suspect")
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"hardcoded-credential-compare"), "{r}");
    assert!(rules.contains(&"dynamic-code-js"), "{r}");
}
