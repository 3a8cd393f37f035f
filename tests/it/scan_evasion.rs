//! A vendor hiding code from the scan: source under a harmless name or extension, in an
//! unusual text encoding, random bytes named as an image, PHP's many ways to evaluate decoded
//! code, Git LFS pointers in place of files. And look-alikes that must not be reported: a
//! holiday schedule's dates, a Vue template comparing route names. Secret-looking strings are
//! made at test time.

use std::path::Path;

use crate::common::*;

const MANIFEST: &str = MODULE_MANIFEST;

fn scan(dir: &Path) -> serde_json::Value {
    let mdir = tempfile::tempdir().unwrap();
    let m = manifest(mdir.path(), MANIFEST);
    check_json(dir, &m).json()
}

/// The findings of `code` as (rule, path, severity), sorted.
fn hits(r: &serde_json::Value, code: &str) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = with_code(r, code)
        .into_iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_owned(),
                f["path"].as_str().unwrap_or("").to_owned(),
                f["severity"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The paths a rule reported, sorted.
fn paths_of(r: &serde_json::Value, rule: &str) -> Vec<String> {
    let mut v: Vec<String> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .flat_map(|f| match f["locations"].as_array() {
            // One finding for the same literal in several files: every place counts.
            Some(places) => places
                .iter()
                .map(|l| l["path"].as_str().unwrap_or("").to_owned())
                .collect(),
            None => vec![f["path"].as_str().unwrap_or("").to_owned()],
        })
        .collect();
    v.sort();
    v
}

fn utf16(s: &str, big_endian: bool) -> Vec<u8> {
    s.encode_utf16()
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

fn java_backdoor(pass: &str) -> String {
    format!(
        "package com.acme.his.auth;\n\nimport java.util.Map;\n\npublic class Login {{\n    boolean check(String password) {{\n        if (password.equals(\"{pass}\")) {{\n            return true;\n        }}\n        return false;\n    }}\n}}\n"
    )
}

#[test]
fn source_under_another_name_is_scanned_with_its_language_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(0xe7a5_0001);
    let java = java_backdoor(&g.word(10));
    for p in [
        "notes/Login.txt",
        "src/Login.jav",
        "src/Login.java.bak",
        "src/Login",
    ] {
        write(d, p, &java);
    }
    // C# saved as .txt: a date kill switch.
    write(
        d,
        "doc/Guard.txt",
        "using System;\nnamespace Acme.His\n{\n    public class Guard\n    {\n        public void Check()\n        {\n            if (DateTime.Now > new DateTime(2025, 12, 31)) { Environment.Exit(0); }\n        }\n    }\n}\n",
    );
    // PHP in its other extensions: a request parameter run as code.
    for p in [
        "web/admin.phtml",
        "web/lib.inc",
        "web/his.module",
        "web/old.php5",
    ] {
        write(
            d,
            p,
            "<?php\n$page = 1;\nsystem($_GET['c']);\necho $page;\n",
        );
    }
    // JavaScript without an extension, PHP backed up.
    write(
        d,
        "web/static/loader",
        "var cfg = require('./cfg');\nfunction load(code) {\n    var fn = new Function(code);\n    return fn();\n}\nmodule.exports = load;\n",
    );
    write(
        d,
        "web/admin.php.bak",
        "<?php\n$page = 1;\nsystem($_GET['c']);\n",
    );
    // Negatives: prose that quotes the same line, and an XML file.
    write(
        d,
        "notes/review.txt",
        format!(
            "Review notes\n\nThe old login compared the password with a fixed string:\n    if (password.equals(\"{}\"))\nThis was removed in version 3.\n",
            g.word(10)
        ),
    );
    write(
        d,
        "conf/login.xml",
        format!(
            "<login><check>if (password.equals(\"{}\"))</check></login>\n",
            g.word(10)
        ),
    );
    let r = scan(d);
    assert_eq!(
        paths_of(&r, "hardcoded-credential-compare"),
        [
            "notes/Login.txt",
            "src/Login",
            "src/Login.jav",
            "src/Login.java.bak"
        ]
    );
    assert_eq!(paths_of(&r, "date-kill-switch"), ["doc/Guard.txt"]);
    assert_eq!(
        paths_of(&r, "remote-command"),
        [
            "web/admin.php.bak",
            "web/admin.phtml",
            "web/his.module",
            "web/lib.inc",
            "web/old.php5"
        ]
    );
    assert_eq!(paths_of(&r, "dynamic-code-js"), ["web/static/loader"]);
}

#[test]
fn encoded_php_in_an_include_is_found() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(0xe7a5_0002);
    // An ionCube-encoded include: a loader line, then binary data with NUL bytes.
    let mut inc =
        b"<?php //0046a\nif(!extension_loaded('ionCube Loader')){die('loader');}\n?>\n".to_vec();
    inc.extend(g.bytes(3000));
    inc.extend([0u8; 64]);
    write(d, "web/include/common.inc", &inc);
    // A plain include: nothing.
    write(d, "web/include/db.inc", "<?php\n$db = new PDO($dsn);\n");
    let r = scan(d);
    assert_eq!(paths_of(&r, "ioncube"), ["web/include/common.inc"]);
    assert!(
        hits(&r, "source-encoded")
            .iter()
            .all(|h| h.1 == "web/include/common.inc")
    );
}

#[test]
fn bidi_characters_are_found_in_source_saved_as_text() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let java = "package com.acme.his;\n\nimport java.util.List;\n\npublic class Access {\n    boolean isAdmin = false;\n    void f() {\n        /*\u{202E} } \u{2066}if (isAdmin)\u{2069} \u{2066} begin admins only */\n    }\n}\n";
    write(d, "src/Access.txt", java);
    // Prose with a right-to-left mark around a quoted name: not code.
    write(
        d,
        "doc/names.txt",
        "Contact: \u{202B}مستشفى\u{202C} (Hospital)\n",
    );
    let r = scan(d);
    assert_eq!(paths_of(&r, "trojan-source-bidi"), ["src/Access.txt"]);
}

#[test]
fn wide_encodings_without_bom_are_decoded() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(0xe7a5_0003);
    // 48 KiB of Chinese comments first: no NUL byte in UTF-16 there.
    let comments = "// 本模块负责门诊挂号、收费与药房发药的业务流程说明\n".repeat(900);
    let java = format!("{comments}{}", java_backdoor(&g.word(10)));
    write(d, "src/LoginLe.java", utf16(&java, false));
    write(d, "src/LoginBe.java", utf16(&java, true));
    let utf32: Vec<u8> = java_backdoor(&g.word(10))
        .chars()
        .flat_map(|c| u32::from(c).to_le_bytes())
        .collect();
    write(d, "src/Login32.java", utf32);
    // No extension, UTF-16 with NULs from the first byte: text, and Java.
    write(
        d,
        "src/LoginNoExt",
        utf16(&java_backdoor(&g.word(10)), false),
    );
    // A file of 16-bit numbers has NULs on one side too: not text, nothing found.
    let numbers: Vec<u8> = (0..4000u16).flat_map(|i| (i % 200).to_le_bytes()).collect();
    write(d, "data/table.bin", numbers);
    let r = scan(d);
    assert_eq!(
        paths_of(&r, "hardcoded-credential-compare"),
        [
            "src/Login32.java",
            "src/LoginBe.java",
            "src/LoginLe.java",
            "src/LoginNoExt"
        ]
    );
    assert!(
        hits(&r, "file-encrypted").is_empty(),
        "{:?}",
        hits(&r, "file-encrypted")
    );
}

#[test]
fn python_declared_utf7_and_gbk_text_are_decoded() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // In UTF-7, "(" is "+ACg-" and "[" "+AFs-": the raw bytes hold no call at all.
    write(
        d,
        "tools/run.py",
        "#!/usr/bin/env python\n# -*- coding: utf-7 -*-\nimport os\nfrom flask import request\n\ndef run():\n    os.system+ACg-request.args+AFs-'c'+AF0AKQ-\n",
    );
    // The same file without the declaration is not decoded: nothing.
    write(
        d,
        "tools/plain.py",
        "import os\n\ndef run():\n    os.system+ACg-request.args+AFs-'c'+AF0AKQ-\n",
    );
    // GBK: a licence check with Chinese words.
    let (gbk, _, _) = encoding_rs::GBK.encode(
        "public class Lic {\n    void check() {\n        if (授权.isExpired()) { System.exit(0); } // 授权过期，停止\n    }\n}\n",
    );
    write(d, "src/Lic.java", gbk.as_ref());
    let r = scan(d);
    assert_eq!(paths_of(&r, "remote-command"), ["tools/run.py"]);
    assert_eq!(paths_of(&r, "licence-lock"), ["src/Lic.java"]);
}

#[test]
fn random_bytes_under_a_harmless_name_are_encrypted() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(0xe7a5_0004);
    write(d, "web/img/logo.png", g.bytes(8192));
    write(d, "web/img/banner.jpg", g.bytes(20000));
    write(d, "conf/license.dat", g.bytes(4096));
    write(d, "bin/payload", g.bytes(4096));
    // Negatives: real formats with random-looking payloads, and small or structured data.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend(g.bytes(8192));
    write(d, "web/img/real.png", png);
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    gz.extend(g.bytes(8192));
    write(d, "data/archive.dat", gz);
    let mut font = vec![0u8, 1, 0, 0, 0, 0x10];
    font.extend(g.bytes(8192));
    write(d, "web/fonts/icons.bin", font);
    let mut lzma = vec![0x5d, 0, 0, 0x80, 0];
    lzma.extend(g.bytes(8192));
    write(d, "data/cache.bin", lzma);
    write(d, "data/small.dat", g.bytes(600));
    let floats: Vec<u8> = (0..4096u32)
        .flat_map(|i| (f32::from(u16::try_from(i % 1000).unwrap()) * 0.5).to_le_bytes())
        .collect();
    write(d, "data/weights.bin", floats);
    let r = scan(d);
    assert_eq!(
        hits(&r, "file-encrypted"),
        [
            (
                "random-content-disguised".into(),
                "web/img/banner.jpg".into(),
                "deny".into()
            ),
            (
                "random-content-disguised".into(),
                "web/img/logo.png".into(),
                "deny".into()
            ),
            (
                "random-content-unnamed".into(),
                "bin/payload".into(),
                "warn".into()
            ),
            (
                "random-content-unnamed".into(),
                "conf/license.dat".into(),
                "warn".into()
            ),
        ]
    );
}

#[test]
fn php_evaluating_decoded_code_is_encoded_source() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(0xe7a5_0005);
    let blob = g.word(60);
    let cases = [
        (
            "a.php",
            format!("<?php $f='base64_decode'; $d='{blob}'; eval($f($d));"),
        ),
        (
            "b.php",
            format!("<?php eval/**/(gzinflate(base64_decode('{blob}')));"),
        ),
        (
            "c.php",
            format!("<?php @assert(gzinflate(base64_decode('{blob}')));"),
        ),
        (
            "d.php",
            format!("<?php preg_replace('/.*/e', base64_decode('{blob}'), '');"),
        ),
        (
            "e.php",
            format!("<?php $g = create_function('', base64_decode('{blob}')); $g();"),
        ),
        (
            "f.php",
            format!("<?php $x = 'ba'.'se64_decode'; eval($x('{blob}'));"),
        ),
        ("g.php", format!("<?php eval( @ str_rot13('{blob}'));")),
    ];
    for (p, c) in &cases {
        write(d, &format!("web/enc/{p}"), c);
    }
    // Negatives: decoding without evaluating, assertions, words containing "eval".
    write(
        d,
        "web/ok/a.php",
        format!(
            "<?php\n$data = base64_decode('{blob}');\nassert(base64_decode($x) === 'abc');\n$r = evaluate($data);\n$s = retrieval($data);\n// eval(base64_decode($x)) was removed\n"
        ),
    );
    let r = scan(d);
    let encoded: Vec<String> = paths_of(&r, "php-eval-decoder");
    let want: Vec<String> = cases.iter().map(|(p, _)| format!("web/enc/{p}")).collect();
    assert_eq!(encoded, want);
    assert!(hits(&r, "source-encoded").iter().all(|h| h.2 == "deny"));
}

#[test]
fn dynamic_evaluation_is_a_backdoor_to_review() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "web/tool.php",
        "<?php\n$code = $_POST['code'] ?? '';\neval($code);\neval('?>' . $tpl);\n$f = create_function('$a', $body);\n",
    );
    write(
        d,
        "web/js/run.js",
        "var fn = new Function(body);\nvar r = eval(atob(s));\nvar x = window.eval(expr);\n",
    );
    write(
        d,
        "src/main/java/com/acme/his/Ops.java",
        "package com.acme.his;\n\nclass Ops {\n    void run(String host) throws Exception {\n        Runtime.getRuntime().exec(\"ping -c 1 \" + host);\n        ScriptEngine e = new ScriptEngineManager().getEngineByName(\"javascript\");\n        e.eval(script);\n    }\n}\n",
    );
    write(
        d,
        "tools/boot.py",
        "import base64, zlib\nexec(zlib.decompress(base64.b64decode(blob)))\nvalue = eval(base64.b64decode(expr))\n",
    );
    write(
        d,
        "src/Plugins/Compiler.cs",
        "using System.CodeDom.Compiler;\nclass C {\n    void Build(string src) {\n        var p = new Microsoft.CSharp.CSharpCodeProvider();\n        var r = p.CompileAssemblyFromSource(new CompilerParameters(), src);\n    }\n}\n",
    );
    // Negatives.
    write(
        d,
        "web/js/ok.js",
        "var o = JSON.parse(s);\n// eval(x) is not used here\n/* eval(y) */\n * eval(z)\nvar v = evaluate(x);\nvar t = retrieval(x);\nvar m = re.exec(str);\n$scope.$eval(attrs.onOk);\nvar k = eval(\"1 + 1\");\n",
    );
    write(
        d,
        "src/main/java/com/acme/his/Ok.java",
        "package com.acme.his;\n\nclass Ok {\n    void run() throws Exception {\n        Runtime.getRuntime().exec(\"ls\");\n        Runtime.getRuntime().exec(cmdArray);\n        // Runtime.getRuntime().exec(\"a\" + b);\n    }\n}\n",
    );
    write(
        d,
        "tools/ok.py",
        "# exec(base64.b64decode(blob))\nx = eval(\"1 + 2\")\ndata = base64.b64decode(blob)\nexec(code)\n",
    );
    let r = scan(d);
    let lines = |rule: &str| -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_owned(),
                    f["line"].as_u64().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let p = |s: &str, n: u64| (s.to_owned(), n);
    assert_eq!(
        lines("dynamic-code-php"),
        [
            p("web/tool.php", 3),
            p("web/tool.php", 4),
            p("web/tool.php", 5)
        ]
    );
    assert_eq!(
        lines("dynamic-code-js"),
        [p("web/js/run.js", 1), p("web/js/run.js", 2)]
    );
    let java = "src/main/java/com/acme/his/Ops.java";
    assert_eq!(lines("dynamic-code-java"), [p(java, 5), p(java, 6)]);
    assert_eq!(
        lines("dynamic-code-python"),
        [p("tools/boot.py", 2), p("tools/boot.py", 3)]
    );
    let cs = "src/Plugins/Compiler.cs";
    assert_eq!(lines("dynamic-code-dotnet"), [p(cs, 4), p(cs, 5)]);
    assert!(
        hits(&r, "backdoor-suspect").iter().all(|h| h.2 == "warn"),
        "{:?}",
        hits(&r, "backdoor-suspect")
    );
    assert!(hits(&r, "source-encoded").is_empty());
}

#[test]
fn git_lfs_pointers_in_a_folder_delivery_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(0xe7a5_0006);
    let oid = g.word(64).to_ascii_lowercase();
    let pointer =
        format!("version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize 48213377\n");
    write(d, "lib/his-core.jar", &pointer);
    write(d, "db/init.sql", &pointer);
    // A document that mentions the format is not a pointer.
    write(
        d,
        "doc/lfs.md",
        "Large files use Git LFS; a pointer starts with `version https://git-lfs.github.com/spec/v1`.\n",
    );
    let r = scan(d);
    let lfs = with_code(&r, "git-lfs-pointer");
    assert_eq!(lfs.len(), 1, "{lfs:?}");
    assert_eq!(lfs[0]["severity"], "deny");
    let ev: Vec<&str> = lfs[0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(ev, ["db/init.sql", "lib/his-core.jar"]);
    // One pointer: named by its path.
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "assets/logo.psd", &pointer);
    let r = scan(tmp.path());
    let lfs = with_code(&r, "git-lfs-pointer");
    assert_eq!(lfs.len(), 1);
    assert_eq!(lfs[0]["path"], "assets/logo.psd");
}

#[test]
fn holiday_schedules_and_templates_are_not_backdoors() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(0xe7a5_0007);
    let (pass, admin_pass) = (g.word(10), g.word(9));
    write(
        d,
        "src/main/java/com/acme/his/Duty.java",
        "package com.acme.his;\n\nclass Duty {\n    int mode() {\n        if (LocalDate.now().isAfter(LocalDate.parse(\"2024-02-10\")) && LocalDate.now().isBefore(LocalDate.parse(\"2024-02-17\"))) { return 2; }\n        if (new Date().after(sdf.parse(\"2024-02-10\"))) { holidayMode = true; } // 春节排班\n        if (LocalDate.now().isBefore(LocalDate.of(2024, 2, 17))) { schedule.useFestivalTable(); }\n        return 1;\n    }\n}\n",
    );
    write(
        d,
        "src/main/java/com/acme/his/Bomb.java",
        format!(
            "package com.acme.his;\n\nclass Bomb {{\n    boolean ok(String user, String pwd, String password) {{\n        if (new Date() > new Date(\"2025-12-31\")) {{ System.exit(0); }}\n        if (System.currentTimeMillis() > sdf.parse(\"2026-06-30\").getTime()) {{ throw new IllegalStateException(\"expired\"); }}\n        if (password.equals(\"{pass}\")) {{ return true; }}\n        if (user == \"admin\" && pwd == \"{admin_pass}\") {{ return true; }}\n        return false;\n    }}\n}}\n"
        ),
    );
    write(
        d,
        "web/src/views/Layout.vue",
        "<template>\n  <div v-if=\"user == 'home'\">home</div>\n  <li :class=\"{ on: route.name === 'login' }\">login</li>\n  <el-tab-pane v-if=\"tab == 'password'\" />\n</template>\n<script>\nexport default {\n  methods: {\n    go() {\n      if (this.$route.name === 'login') { return; }\n      if (user == 'home') { this.show = true; }\n    }\n  }\n}\n</script>\n",
    );
    let r = scan(d);
    let bomb = "src/main/java/com/acme/his/Bomb.java";
    assert_eq!(paths_of(&r, "date-kill-switch"), [bomb, bomb]);
    assert_eq!(paths_of(&r, "hardcoded-credential-compare"), [bomb, bomb]);
}

#[test]
fn source_in_utf16_counts_as_the_source_of_its_classes() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let java = format!(
        "{}package com.acme.his;\npublic class Order {{}}\n",
        "// 订单模块\n".repeat(10)
    );
    // Found by its package and type (the file's name is not the class's).
    write(d, "src/OrderTypes.java", utf16(&java, false));
    let mut class = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 61];
    class.extend_from_slice(&[0u8; 40]);
    write(d, "target/classes/com/acme/his/Order.class", &class);
    let r = scan(d);
    for code in ["binary-without-source", "binary-unattributed"] {
        assert!(with_code(&r, code).is_empty(), "{:?}", with_code(&r, code));
    }
}

#[test]
fn a_manifest_rule_may_say_which_lines_it_skips() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "src/Job.java",
        "class Job {\n    void a() { callHome(); }\n    void b() { callHome(); } // approved by the hospital\n}\n",
    );
    let mdir = tempfile::tempdir().unwrap();
    let m = manifest(
        mdir.path(),
        &format!(
            "{MANIFEST}[[rule]]\nid = \"call-home\"\ncode = \"backdoor-suspect\"\ndescription = \"calls home\"\nregex = 'callHome\\('\nunless = 'approved by the hospital'\nkeywords = [\"callhome\"]\n"
        ),
    );
    let r = check_json(d, &m).json();
    let lines: Vec<u64> = with_code(&r, "backdoor-suspect")
        .iter()
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2]);
}

#[test]
fn a_trailing_comment_does_not_hide_the_code_before_it() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "web/src/boot.js",
        "function boot(p) {\n  return eval(atob(p)); // no eval( here\n}\n",
    );
    write(
        d,
        "src/main/java/com/acme/his/Guard.java",
        "package com.acme.his;\n\nclass Guard {\n    void check() throws Exception {\n        if (new Date().after(sdf.parse(\"2027-01-01\"))) { System.exit(0); } // holiday 排班\n    }\n}\n",
    );
    let r = scan(d);
    assert_eq!(paths_of(&r, "dynamic-code-js"), ["web/src/boot.js"], "{r}");
    assert_eq!(
        paths_of(&r, "date-kill-switch"),
        ["src/main/java/com/acme/his/Guard.java"],
        "{r}"
    );
}
