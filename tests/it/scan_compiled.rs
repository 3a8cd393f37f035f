//! Compiled code in a delivery: .NET assemblies protected against decompiling (read from their
//! metadata), third-party attribution (strong-name tokens, package references, public
//! namespaces), compiled test fixtures, nested jars and name-mangled jars. The assemblies are
//! written here, at test time, by a small writer of the PE and ECMA-335 metadata formats.

use std::path::Path;

use crate::common::*;

const MANIFEST: &str = MODULE_MANIFEST;

const BASE62: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// What a test assembly holds.
#[derive(Default, Clone)]
pub(crate) struct Asm {
    pub(crate) name: String,
    /// Type names (namespace `Acme.His`), after `<Module>`.
    pub(crate) types: Vec<String>,
    /// Method names, all in the first type.
    pub(crate) methods: Vec<String>,
    /// Names of imported functions (`kernel32.dll` member references).
    pub(crate) imports: Vec<String>,
    pub(crate) public_key: Option<Vec<u8>>,
    /// Method bodies that do not start with an IL header (encrypted).
    pub(crate) encrypted_bodies: bool,
    /// Streams added after the usual five (a second `#Strings`, an unknown one).
    pub(crate) extra_streams: Vec<&'static str>,
}

fn u16le(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn u32le(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn pad4(v: &mut Vec<u8>) {
    while !v.len().is_multiple_of(4) {
        v.push(0);
    }
}

/// A string heap: offsets of added strings.
struct Heap(Vec<u8>);
impl Heap {
    fn add(&mut self, s: &str) -> u16 {
        let at = self.0.len() as u16;
        self.0.extend_from_slice(s.as_bytes());
        self.0.push(0);
        at
    }
}

/// The metadata (root, stream headers, streams) of `a`, with method bodies at `bodies_rva`.
fn metadata(a: &Asm, bodies_rva: u32) -> Vec<u8> {
    let mut strings = Heap(vec![0]);
    let mut blob = vec![0u8, 3, 0, 0, 1]; // index 1: a method signature `void ()`
    let key_index = a.public_key.as_ref().map(|k| {
        let at = blob.len() as u16;
        blob.extend_from_slice(&[0x80 | (k.len() >> 8) as u8, k.len() as u8]);
        blob.extend_from_slice(k);
        at
    });
    let module_name = strings.add(&format!("{}.dll", a.name));
    let ns = strings.add("Acme.His");
    let mut types = vec![(strings.add("<Module>"), 0u16)];
    for t in &a.types {
        types.push((strings.add(t), ns));
    }
    let methods: Vec<u16> = a.methods.iter().map(|m| strings.add(m)).collect();
    let kernel = strings.add("kernel32.dll");
    let imports: Vec<u16> = a.imports.iter().map(|m| strings.add(m)).collect();
    let asm_name = strings.add(&a.name);
    let mut t = Vec::new();
    u32le(&mut t, 0);
    t.extend_from_slice(&[2, 0, 0, 1]);
    let valid: u64 = 1 | 1 << 0x02 | 1 << 0x06 | 1 << 0x0a | 1 << 0x1a | 1 << 0x20;
    t.extend_from_slice(&valid.to_le_bytes());
    t.extend_from_slice(&0u64.to_le_bytes());
    for n in [1, types.len(), methods.len(), imports.len(), 1, 1] {
        u32le(&mut t, n as u32);
    }
    // Module: generation, name, mvid, encid, encbaseid.
    for x in [0, module_name, 1, 0, 0] {
        u16le(&mut t, x);
    }
    // TypeDef: flags, name, namespace, extends, field list, method list.
    for (i, (name, ns)) in types.iter().enumerate() {
        u32le(&mut t, if i == 0 { 0 } else { 0x0010_0001 });
        for x in [
            *name,
            *ns,
            0,
            1,
            if i <= 1 { 1 } else { methods.len() as u16 + 1 },
        ] {
            u16le(&mut t, x);
        }
    }
    // MethodDef: rva, impl flags, flags, name, signature, param list.
    for (i, name) in methods.iter().enumerate() {
        u32le(&mut t, bodies_rva + 4 * i as u32);
        for x in [0, 0x0086, *name, 1, 1] {
            u16le(&mut t, x);
        }
    }
    // MemberRef: parent (ModuleRef 1), name, signature.
    for name in &imports {
        for x in [(1 << 3) | 2, *name, 1] {
            u16le(&mut t, x);
        }
    }
    // ModuleRef.
    u16le(&mut t, kernel);
    // Assembly: hash algorithm, version, flags, public key, name, culture.
    u32le(&mut t, 0x8004);
    for x in [1, 0, 0, 0] {
        u16le(&mut t, x);
    }
    u32le(&mut t, u32::from(key_index.is_some()));
    for x in [key_index.unwrap_or(0), asm_name, 0] {
        u16le(&mut t, x);
    }
    let mut guid = vec![0x5a; 16];
    guid[0] = a.name.len() as u8;
    let mut streams = vec![
        ("#~", t),
        ("#Strings", strings.0),
        ("#US", vec![0]),
        ("#GUID", guid),
        ("#Blob", blob),
    ];
    streams.extend(a.extra_streams.iter().map(|n| (*n, vec![0u8; 4])));
    root(streams)
}

/// The metadata root: its header, the stream headers and the streams.
fn root(mut streams: Vec<(&str, Vec<u8>)>) -> Vec<u8> {
    for (_, s) in &mut streams {
        pad4(s);
    }
    let version = b"v4.0.30319\0\0";
    let header_len: usize = 16
        + version.len()
        + 4
        + streams
            .iter()
            .map(|(n, _)| 8 + (n.len() + 4) / 4 * 4)
            .sum::<usize>();
    let mut md = b"BSJB".to_vec();
    u16le(&mut md, 1);
    u16le(&mut md, 1);
    u32le(&mut md, 0);
    u32le(&mut md, version.len() as u32);
    md.extend_from_slice(version);
    u16le(&mut md, 0);
    u16le(&mut md, streams.len() as u16);
    let mut at = header_len;
    for (name, data) in &streams {
        u32le(&mut md, at as u32);
        u32le(&mut md, data.len() as u32);
        md.extend_from_slice(name.as_bytes());
        md.push(0);
        pad4(&mut md);
        at += data.len();
    }
    for (_, data) in &streams {
        md.extend_from_slice(data);
    }
    md
}

/// A PE32 DLL holding the assembly `a`: headers, one `.text` section with the CLI header, the
/// method bodies and the metadata.
pub(crate) fn assembly(a: &Asm) -> Vec<u8> {
    const RVA: u32 = 0x2000;
    const RAW: usize = 0x200;
    let bodies_rva = RVA + 72;
    let mut text = Vec::new();
    let mut bodies = Vec::new();
    for _ in &a.methods {
        // A tiny header for one byte of code (`ret`), or bytes that are no header.
        bodies.extend_from_slice(if a.encrypted_bodies {
            &[0x5c, 0xe1, 0x07, 0x9d]
        } else {
            &[0x06, 0x2a, 0, 0]
        });
    }
    let md_rva = bodies_rva + bodies.len() as u32;
    let md = metadata(a, bodies_rva);
    // CLI header.
    u32le(&mut text, 72);
    u16le(&mut text, 2);
    u16le(&mut text, 5);
    u32le(&mut text, md_rva);
    u32le(&mut text, md.len() as u32);
    u32le(&mut text, 1);
    text.resize(72, 0);
    text.extend_from_slice(&bodies);
    text.extend_from_slice(&md);
    let raw_size = text.len().div_ceil(0x200) * 0x200;
    text.resize(raw_size, 0);

    let mut pe = vec![0u8; 0x80];
    pe[0] = b'M';
    pe[1] = b'Z';
    pe[0x3c] = 0x80;
    pe.extend_from_slice(b"PE\0\0");
    u16le(&mut pe, 0x14c);
    u16le(&mut pe, 1);
    pe.extend_from_slice(&[0; 12]);
    u16le(&mut pe, 0xe0);
    u16le(&mut pe, 0x2102);
    let opt = pe.len();
    pe.resize(opt + 0xe0, 0);
    pe[opt..opt + 2].copy_from_slice(&0x10bu16.to_le_bytes());
    pe[opt + 92..opt + 96].copy_from_slice(&16u32.to_le_bytes());
    let cli = opt + 96 + 14 * 8;
    pe[cli..cli + 4].copy_from_slice(&RVA.to_le_bytes());
    pe[cli + 4..cli + 8].copy_from_slice(&72u32.to_le_bytes());
    pe.extend_from_slice(b".text\0\0\0");
    u32le(&mut pe, text.len() as u32);
    u32le(&mut pe, RVA);
    u32le(&mut pe, raw_size as u32);
    u32le(&mut pe, RAW as u32);
    pe.extend_from_slice(&[0; 12]);
    u32le(&mut pe, 0x6000_0020);
    pe.resize(RAW, 0);
    pe.extend_from_slice(&text);
    pe
}

/// Names a person gives: a hospital's billing module.
pub(crate) fn plain(name: &str) -> Asm {
    Asm {
        name: name.to_owned(),
        types: [
            "HospitalBilling",
            "PatientRepository",
            "InvoiceService",
            "Ward",
            "Id",
            "UI",
            "OrderLine",
            "LabResult",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        methods: [
            "GetPatient",
            "get_Id",
            "set_Id",
            "SaveInvoice",
            "ComputeFee",
            "ToString",
            "Dispose",
            "LoadWard",
            "IO",
            "Do",
            "Base64Encode",
            "ParseHl7Message",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        ..Asm::default()
    }
}

/// Check `dir` with the base manifest plus `extra`; return the JSON report and exit code.
fn scan(dir: &Path, extra: &str) -> (serde_json::Value, i32) {
    let mdir = tempfile::tempdir().unwrap();
    let m = manifest(mdir.path(), &format!("{MANIFEST}{extra}"));
    let run = check_json(dir, &m);
    (run.json(), run.code)
}

/// (rule, path) of the findings of `code`, sorted.
fn hits(r: &serde_json::Value, code: &str) -> Vec<(String, String)> {
    let mut v: Vec<_> = with_code(r, code)
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

fn owned(v: &[&str]) -> Vec<(String, String)> {
    v.chunks(2)
        .map(|c| (c[0].to_owned(), c[1].to_owned()))
        .collect()
}

#[test]
#[allow(clippy::too_many_lines)] // one scenario: every signal, its negatives, then an allowance
fn dotnet_protection_is_read_from_the_metadata() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(7);
    // .NET Reactor-like: random names throughout.
    let mut reactor = plain("Acme.His.Billing");
    reactor.types = (0..8).map(|_| g.chars(BASE62, 18)).collect();
    reactor.methods = (0..12).map(|_| g.chars(BASE62, 22)).collect();
    write(d, "bin/Acme.His.Billing.dll", assembly(&reactor));
    // ConfuserEx-like: invisible and control characters, short junk.
    let mut confuser = plain("Acme.His.Lab");
    confuser.types = (0..8)
        .map(|i| format!("\u{200b}\u{202e}\u{200c}{}", char::from(b'a' + i)))
        .collect();
    confuser.methods = (0..12).map(|i| format!("\u{1}{i}")).collect();
    write(d, "bin/Acme.His.Lab.dll", assembly(&confuser));
    // Ordinary names, but a `<Module>{GUID}` type.
    let mut module_guid = plain("Acme.His.Pharmacy");
    module_guid
        .types
        .push("<Module>{4E3C6F92-1B5A-4C7D-9E2F-0A8B7C6D5E4F}".to_owned());
    write(d, "bin/Acme.His.Pharmacy.dll", assembly(&module_guid));
    // A few junk names and VirtualProtect: method bodies decrypted at run time.
    let mut tamper = plain("Acme.His.Emr");
    tamper
        .methods
        .extend((2u8..8).map(|c| char::from(c).to_string()));
    tamper.imports = vec!["VirtualProtect".to_owned()];
    write(d, "bin/Acme.His.Emr.dll", assembly(&tamper));
    // A few junk names and invalid metadata (a second #Strings stream).
    let mut odd = plain("Acme.His.Nurse");
    odd.methods
        .extend((2u8..8).map(|c| char::from(c).to_string()));
    odd.extra_streams = vec!["#Strings"];
    write(d, "bin/Acme.His.Nurse.dll", assembly(&odd));
    // Ordinary names, encrypted method bodies.
    let mut bodies = plain("Acme.His.Ris");
    bodies.encrypted_bodies = true;
    write(d, "bin/Acme.His.Ris.dll", assembly(&bodies));
    // An obfuscator's marker too: one finding, by the marker, with the metadata's evidence.
    let mut marked = reactor.clone();
    marked.name = "Acme.His.Pay".to_owned();
    marked.types.push("ConfusedByAttribute".to_owned());
    write(d, "bin/Acme.His.Pay.dll", assembly(&marked));

    // Negatives: ordinary names (short ones too) importing VirtualProtect; protected
    // third-party libraries (vendored path, or signed by a known publisher's key).
    let mut ordinary = plain("Acme.His.Core");
    ordinary.imports = vec!["VirtualProtect".to_owned(), "CreateFileW".to_owned()];
    write(d, "bin/Acme.His.Core.dll", assembly(&ordinary));
    // Odd metadata alone, with ordinary names, is not enough.
    let mut streams_only = plain("Acme.His.Ward");
    streams_only.extra_streams = vec!["#Strings", "#Koi"];
    write(d, "bin/Acme.His.Ward.dll", assembly(&streams_only));
    write(d, "vendor/grid/Grid.Pro.dll", assembly(&reactor));
    let mut signed = reactor.clone();
    signed.name = "System.Data".to_owned();
    // The ECMA standard public key (token b77a5c561934e089).
    let mut ecma = vec![0u8; 16];
    ecma[8] = 4;
    signed.public_key = Some(ecma);
    write(d, "bin/System.Data.dll", assembly(&signed));

    let (r, code) = scan(d, "");
    assert_eq!(code, 1);
    assert_eq!(
        hits(&r, "source-obfuscated"),
        owned(&[
            "dotnet-obfuscator",
            "bin/Acme.His.Pay.dll",
            "dotnet-protected",
            "bin/Acme.His.Billing.dll",
            "dotnet-protected",
            "bin/Acme.His.Emr.dll",
            "dotnet-protected",
            "bin/Acme.His.Lab.dll",
            "dotnet-protected",
            "bin/Acme.His.Nurse.dll",
            "dotnet-protected",
            "bin/Acme.His.Pharmacy.dll",
            "dotnet-protected",
            "bin/Acme.His.Ris.dll",
        ]),
        "{r}"
    );
    let evidence = |path: &str| -> String {
        with_code(&r, "source-obfuscated")
            .into_iter()
            .find(|f| f["path"] == path)
            .map(|f| f["evidence"].to_string())
            .unwrap()
    };
    assert!(evidence("bin/Acme.His.Billing.dll").contains("random-looking"));
    assert!(evidence("bin/Acme.His.Lab.dll").contains("\\\\u{200b}"));
    assert!(evidence("bin/Acme.His.Pharmacy.dll").contains("<Module>{4E3C6F92"));
    assert!(evidence("bin/Acme.His.Emr.dll").contains("VirtualProtect"));
    assert!(
        evidence("bin/Acme.His.Nurse.dll").contains("two metadata streams named \\\"#Strings\\\"")
    );
    assert!(evidence("bin/Acme.His.Ris.dll").contains("12 of 12 method bodies"));
    let pay = evidence("bin/Acme.His.Pay.dll");
    assert!(
        pay.contains("marker: ConfusedByAttribute") && pay.contains("random-looking"),
        "{pay}"
    );
    // The signed library is a known publisher's: not even unattributed.
    let all = r["findings"].as_array().unwrap();
    assert!(
        all.iter().all(|f| f["path"] != "bin/System.Data.dll"),
        "{r}"
    );
    assert!(
        all.iter().any(|f| f["path"] == "bin/Acme.His.Core.dll"),
        "{r}"
    );

    // The rule can be allowed by its id, like the other structural rules.
    let allow = "[[allow]]\ncode = \"source-obfuscated\"\nrule = \"dotnet-protected\"\npaths = [\"bin/Acme.His.R*.dll\"]\nreason = \"protected build agreed with the vendor, source in escrow\"\n";
    let (r, _) = scan(d, allow);
    let protected: Vec<_> = hits(&r, "source-obfuscated")
        .into_iter()
        .filter(|(rule, _)| rule == "dotnet-protected")
        .map(|(_, p)| p)
        .collect();
    assert_eq!(protected.len(), 5, "{r}");
    assert!(
        !protected.contains(&"bin/Acme.His.Ris.dll".to_owned()),
        "{r}"
    );
}

#[test]
fn third_party_is_a_package_a_publisher_or_a_vendored_path() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(21);
    // A patched copy of a public library's file does not make the library the vendor's own.
    write(
        d,
        "src/Web/Patches/ControllerPatch.cs",
        "namespace System.Web.Mvc { class ControllerPatch {} }\n",
    );
    write(
        d,
        "src/Web/Home.cs",
        "namespace Acme.His.Web { class Home {} }\n",
    );
    write(
        d,
        "bin/System.Web.Mvc.dll",
        assembly(&plain("System.Web.Mvc")),
    );
    // A project naming a DLL in <Reference>/<HintPath> declares nothing; a PackageReference
    // with a version does, and so does a NuGet package folder in a HintPath.
    write(
        d,
        "src/Web/Web.csproj",
        r#"<Project>
  <ItemGroup>
    <Reference Include="HisCrypto"><HintPath>..\..\lib\HisCrypto.dll</HintPath></Reference>
    <Reference Include="log4net"><HintPath>..\..\packages\log4net.2.0.15\lib\net45\log4net.dll</HintPath></Reference>
    <PackageReference Include="Newtonsoft.Json" Version="13.0.3" />
  </ItemGroup>
</Project>
"#,
    );
    write(d, "lib/HisCrypto.dll", assembly(&plain("HisCrypto")));
    write(d, "lib/log4net.dll", assembly(&plain("log4net")));
    write(
        d,
        "lib/Newtonsoft.Json.dll",
        assembly(&plain("Newtonsoft.Json")),
    );
    // Signed by a known publisher (the ECMA key), or by an unknown key.
    let mut ecma = vec![0u8; 16];
    ecma[8] = 4;
    let mut data = plain("System.Data");
    data.public_key = Some(ecma);
    write(d, "lib/System.Data.dll", assembly(&data));
    let mut own_key = plain("HisReports");
    own_key.public_key = Some(g.bytes(160));
    write(d, "lib/HisReports.dll", assembly(&own_key));
    // Java: one file of the platform's packages does not make them the vendor's own.
    write(
        d,
        "src/main/java/javax/annotation/Generated.java",
        "package javax.annotation;\npublic @interface Generated {}\n",
    );
    write(
        d,
        "WEB-INF/lib/javax.annotation-api.jar",
        jar(&["javax/annotation/PostConstruct"]),
    );

    let (r, _) = scan(d, "");
    assert_eq!(hits(&r, "binary-without-source"), vec![], "{r}");
    assert_eq!(
        hits(&r, "binary-unattributed"),
        owned(&[
            "jar-unattributed",
            "WEB-INF/lib/javax.annotation-api.jar",
            "pe-unattributed",
            "bin/System.Web.Mvc.dll",
            "pe-unattributed",
            "lib/HisCrypto.dll",
            "pe-unattributed",
            "lib/HisReports.dll",
        ]),
        "{r}"
    );
}

fn class_file() -> Vec<u8> {
    let mut v = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 61];
    v.extend_from_slice(&[0u8; 40]);
    v
}

fn jar(classes: &[&str]) -> Vec<u8> {
    let class = class_file();
    let names: Vec<String> = classes.iter().map(|c| format!("{c}.class")).collect();
    let entries: Vec<(&[u8], &[u8], u16)> = names
        .iter()
        .map(|n| (n.as_bytes(), class.as_slice(), 0))
        .collect();
    raw_zip(&entries)
}

#[test]
fn test_fixtures_are_warnings_and_nested_jars_count_once() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "src/main/java/com/acme/his/Order.java",
        "package com.acme.his;\npublic class Order {}\n",
    );
    let core_jar = jar(&["com/acme/his/core/Fee", "com/acme/his/core/Ward"]);
    // A compiled fixture of the vendor's own code, and a .NET test project's assembly.
    write(d, "src/test/resources/fixtures/his-old.jar", &core_jar);
    write(
        d,
        "Acme.His.Tests/bin/Debug/Acme.His.dll",
        assembly(&plain("Acme.His")),
    );
    // A protected assembly among a test's data.
    let mut g = Gen(5);
    let mut protected = plain("Acme.His.Sample");
    protected.methods = (0..12).map(|_| g.chars(BASE62, 20)).collect();
    write(d, "testdata/Acme.His.Sample.dll", assembly(&protected));
    // The same jar delivered as a file and inside a war: reported once, as the file.
    write(d, "lib/his-core.jar", &core_jar);
    let war = raw_zip(&[
        (&b"WEB-INF/lib/his-core.jar"[..], core_jar.as_slice(), 0),
        (&b"WEB-INF/web.xml"[..], &b"<web-app/>"[..], 0),
    ]);
    write(d, "deploy/his.war", war);
    write(
        d,
        "src/Acme.His.Web/Home.cs",
        "namespace Acme.His.Web { class Home {} }\n",
    );

    let (r, code) = scan(d, "");
    assert_eq!(
        hits(&r, "binary-without-source"),
        owned(&[
            "dotnet-without-source",
            "Acme.His.Tests/bin/Debug/Acme.His.dll",
            "dotnet-without-source",
            "testdata/Acme.His.Sample.dll",
            "jar-without-source",
            "lib/his-core.jar",
            "jar-without-source",
            "src/test/resources/fixtures/his-old.jar",
        ]),
        "{r}"
    );
    for f in with_code(&r, "binary-without-source") {
        let fixture = f["path"] != "lib/his-core.jar";
        assert_eq!(f["severity"] == "warn", fixture, "{f}");
        assert_eq!(
            f["message"].as_str().unwrap().starts_with("test fixture: "),
            fixture,
            "{f}"
        );
    }
    let obfuscated = with_code(&r, "source-obfuscated");
    assert_eq!(obfuscated.len(), 1, "{r}");
    assert_eq!(obfuscated[0]["path"], "testdata/Acme.His.Sample.dll");
    assert_eq!(obfuscated[0]["severity"], "warn");
    assert!(
        obfuscated[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("test fixture: .NET assembly protected")
    );
    assert_eq!(code, 1);
}

#[test]
fn dictionary_names_are_mangling_and_short_ordinary_names_are_not() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let dictionary = [
        "IlIIl", "lIllI", "IIlIl", "lIIlI", "IlllI", "llIIl", "O0O0o", "o0O0O", "OO0o0", "0OoO0",
        "Il1lI", "a",
    ];
    let classes: Vec<String> = dictionary.iter().map(|c| format!("q/{c}")).collect();
    let refs: Vec<&str> = classes.iter().map(String::as_str).collect();
    write(d, "lib/his-secure.jar", jar(&refs));
    // Ordinary short names: acronyms and value-object suffixes are not mangling.
    let ordinary = [
        "ID", "UI", "IO", "DB", "OS", "VO", "PO", "BO", "Id", "Ui", "App", "Main", "Config",
        "Patient",
    ];
    let classes: Vec<String> = ordinary
        .iter()
        .map(|c| format!("com/hisvendor/{c}"))
        .collect();
    let refs: Vec<&str> = classes.iter().map(String::as_str).collect();
    write(d, "lib/his-model.jar", jar(&refs));

    let (r, _) = scan(d, "");
    assert_eq!(
        hits(&r, "source-obfuscated"),
        owned(&["java-name-mangling", "lib/his-secure.jar"]),
        "{r}"
    );
}

#[test]
fn damaged_assemblies_are_read_without_failing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(99);
    let mut a = plain("Acme.His.Core");
    a.imports = vec!["VirtualProtect".to_owned()];
    let good = assembly(&a);
    // Bytes changed at random (headers, tables, heaps), and files cut short.
    for i in 0..300 {
        let mut v = good.clone();
        for _ in 0..=(g.next() % 16) {
            let p = (g.next() as usize) % v.len();
            v[p] = g.next() as u8;
        }
        if i % 4 == 0 {
            v.truncate((g.next() as usize) % v.len());
        }
        // Keep the MZ and BSJB signatures so that the file is read as an assembly.
        v[..2].copy_from_slice(b"MZ");
        v.extend_from_slice(b"BSJB");
        write(d, &format!("bin/Damaged{i}.dll"), v);
    }
    let (r, code) = scan(d, "");
    assert!(code == 0 || code == 1, "{r}");
    assert!(r["scan"]["files"].as_u64().unwrap() >= 300, "{r}");
}

#[test]
fn copies_of_one_compiled_file_are_one_finding_with_every_place() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "src/Web/Home.cs",
        "namespace Acme.His.Web { class Home {} }\n",
    );
    // The vendor's own framework, without source, copied into three projects' bin folders;
    // another of its assemblies once.
    let framework = assembly(&plain("Acme.Core"));
    for p in ["Api/bin", "Web/bin", "Jobs/bin"] {
        write(d, &format!("{p}/Acme.Core.dll"), &framework);
    }
    write(
        d,
        "Web/bin/Acme.Logging.dll",
        assembly(&plain("Acme.Logging")),
    );
    let (r, code) = scan(d, "");
    assert_eq!(code, 1, "{r}");
    let found = with_code(&r, "binary-without-source");
    assert_eq!(found.len(), 2, "{r}");
    let core_finding = found
        .iter()
        .find(|f| f["path"] == "Api/bin/Acme.Core.dll")
        .expect("the first copy names the finding");
    let places: Vec<&str> = core_finding["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        places,
        [
            "Api/bin/Acme.Core.dll",
            "Jobs/bin/Acme.Core.dll",
            "Web/bin/Acme.Core.dll"
        ]
    );
    // An allowance must cover every copy.
    let (r, _) = scan(
        d,
        "[[allow]]\ncode = \"binary-without-source\"\npaths = [\"Api/**\"]\nreason = \"test\"\n",
    );
    assert_eq!(with_code(&r, "binary-without-source").len(), 2, "{r}");
    // The human report says where the copies are.
    let mdir = tempfile::tempdir().unwrap();
    let m = manifest(mdir.path(), MANIFEST);
    let run = escrow([
        "check".as_ref(),
        d.as_os_str(),
        "--manifest".as_ref(),
        m.as_os_str(),
    ]);
    assert!(
        run.stdout
            .contains("the same file (identical content) in 3 places: Api/bin/Acme.Core.dll"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_publisher_s_public_key_in_a_vendor_assembly_proves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "src/Web/Home.cs",
        "namespace Acme.His.Web { class Home {} }\n",
    );
    // The ECMA key is public: a protected assembly of the vendor's namespace carrying it is
    // still the vendor's, and still protected.
    let mut ecma = vec![0u8; 16];
    ecma[8] = 4;
    let mut g = Gen(99);
    let mut lab = plain("Acme.His.Lab");
    lab.types = (0..8).map(|_| g.chars(BASE62, 18)).collect();
    lab.methods = (0..12).map(|_| g.chars(BASE62, 22)).collect();
    lab.public_key = Some(ecma.clone());
    write(d, "lib/Acme.His.Lab.dll", assembly(&lab));
    // A System assembly with the same key is Microsoft's.
    let mut data = plain("System.Data");
    data.public_key = Some(ecma);
    write(d, "lib/System.Data.dll", assembly(&data));
    let (r, code) = scan(d, "");
    assert_eq!(code, 1, "{r}");
    assert_eq!(
        hits(&r, "source-obfuscated"),
        owned(&["dotnet-protected", "lib/Acme.His.Lab.dll"]),
        "{r}"
    );
    assert_eq!(
        hits(&r, "binary-without-source"),
        owned(&["dotnet-without-source", "lib/Acme.His.Lab.dll"]),
        "{r}"
    );
    assert!(hits(&r, "binary-unattributed").is_empty(), "{r}");
}

#[test]
fn a_protected_component_outside_the_vendor_s_namespaces_is_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "src/Web/Home.cs",
        "namespace Acme.His.Web { class Home {} }\n",
    );
    let mut g = Gen(4242);
    let mut junk = |name: &str| {
        let mut a = plain(name);
        a.types = (0..8).map(|_| g.chars(BASE62, 18)).collect();
        a.methods = (0..12).map(|_| g.chars(BASE62, 22)).collect();
        a
    };
    // A commercial PDF component, protected by its maker; the vendor's own protected module.
    write(d, "bin/EO.Pdf.dll", assembly(&junk("EO.Pdf")));
    write(
        d,
        "bin/Acme.His.Billing.dll",
        assembly(&junk("Acme.His.Billing")),
    );
    let (r, code) = scan(d, "");
    assert_eq!(code, 1, "{r}");
    let protected: Vec<(String, String, String)> = with_code(&r, "source-obfuscated")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(protected.len(), 2, "{r}");
    let own = protected
        .iter()
        .find(|p| p.0 == "bin/Acme.His.Billing.dll")
        .unwrap();
    assert_eq!(own.1, "deny");
    let component = protected.iter().find(|p| p.0 == "bin/EO.Pdf.dll").unwrap();
    assert_eq!(component.1, "warn");
    assert!(
        component.2.contains("probably a third-party component"),
        "{}",
        component.2
    );
}
