//! The labelled cases for compiled code: jars, class files and .NET assemblies, with and
//! without their source, first-party or third-party, protected or not.

#![allow(clippy::too_many_lines)] // lists of cases: data, one after the other

use super::{Case, Gen};
use crate::common::raw_zip;
use crate::scan_compiled::{assembly, plain};

/// A class file's first bytes (enough for the scan, which never runs or parses the code).
fn class_file() -> Vec<u8> {
    let mut v = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 61];
    v.extend_from_slice(&[0u8; 40]);
    v
}

fn jar(classes: &[String], extra: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let class = class_file();
    let mut entries: Vec<(Vec<u8>, Vec<u8>)> = vec![(
        b"META-INF/MANIFEST.MF".to_vec(),
        b"Manifest-Version: 1.0\r\n".to_vec(),
    )];
    for c in classes {
        entries.push((format!("{c}.class").into_bytes(), class.clone()));
    }
    for (n, d) in extra {
        entries.push((n.as_bytes().to_vec(), d.clone()));
    }
    let refs: Vec<(&[u8], &[u8], u16)> = entries
        .iter()
        .map(|(n, d)| (n.as_slice(), d.as_slice(), 0u16))
        .collect();
    raw_zip(&refs)
}

const JAVA_SRC: &str = "src/main/java/com/acme/his/App.java";
const JAVA_APP: &str = "package com.acme.his;\n\npublic class App {\n    public static void main(String[] args) {}\n}\n";

pub fn cases() -> Vec<Case> {
    let mut g = Gen(0xc0de_0b1e_u64);
    let mut v = Vec::new();
    let c = "source-obfuscated";
    // Classes named from a dictionary of look-alike letters.
    let dict: Vec<String> = (0..30)
        .map(|_| format!("com/acme/his/core/{}", g.chars("Il", 6)))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    v.push(
        Case::new("obfuscated/jar-dictionary-names")
            .file(JAVA_SRC, JAVA_APP)
            .file("lib/his-core.jar", jar(&dict, &[]))
            .expect("lib/his-core.jar", c, Some("java-name-mangling"))
            .expect(
                "lib/his-core.jar",
                "binary-without-source",
                Some("jar-without-source"),
            )
            .maybe("lib/his-core.jar", "binary-unattributed"),
    );
    let oo: Vec<String> = (0..30)
        .map(|_| format!("com/acme/his/pay/{}", g.chars("O0o", 5)))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    v.push(
        Case::new("obfuscated/jar-o0-names")
            .file(JAVA_SRC, JAVA_APP)
            .file("lib/his-pay.jar", jar(&oo, &[]))
            .expect("lib/his-pay.jar", c, Some("java-name-mangling"))
            .expect(
                "lib/his-pay.jar",
                "binary-without-source",
                Some("jar-without-source"),
            )
            .maybe("lib/his-pay.jar", "binary-unattributed"),
    );
    let letters: Vec<String> = ('a'..='z')
        .map(|l| format!("com/acme/his/emr/{l}"))
        .collect();
    v.push(
        Case::new("obfuscated/jar-single-letters")
            .file(JAVA_SRC, JAVA_APP)
            .file("lib/his-emr.jar", jar(&letters, &[]))
            .expect("lib/his-emr.jar", c, Some("java-name-mangling"))
            .expect(
                "lib/his-emr.jar",
                "binary-without-source",
                Some("jar-without-source"),
            )
            .maybe("lib/his-emr.jar", "binary-unattributed"),
    );
    // Ordinary short class names are not mangling.
    let plain: Vec<String> = [
        "Id", "UI", "IO", "Db", "Ws", "Api", "Dto", "Vo", "Po", "Bo", "Log", "Msg",
    ]
    .iter()
    .map(|n| format!("org/example/util/{n}"))
    .collect();
    v.push(
        Case::new("clean/jar-short-names")
            .file(JAVA_SRC, JAVA_APP)
            .file(
                "lib/example-util-1.2.jar",
                jar(
                    &plain,
                    &[(
                        "META-INF/maven/org.example/example-util/pom.properties",
                        b"groupId=org.example\nartifactId=example-util\nversion=1.2\n".to_vec(),
                    )],
                ),
            ),
    );
    // The vendor's own jar without its source.
    let own: Vec<String> = ["Register", "Billing", "Pharmacy", "Ward"]
        .iter()
        .map(|n| format!("com/acme/his/{n}"))
        .collect();
    v.push(
        Case::new("compiled/own-jar-without-source")
            .file(JAVA_SRC, JAVA_APP)
            .file("lib/his-billing.jar", jar(&own, &[]))
            .expect(
                "lib/his-billing.jar",
                "binary-without-source",
                Some("jar-without-source"),
            ),
    );
    // Compiled test fixtures: lower severity, said as such.
    v.push(
        Case::new("compiled/test-fixture-jar")
            .file(JAVA_SRC, JAVA_APP)
            .file("src/test/resources/fixtures/his-sample.jar", jar(&own, &[]))
            .warn(
                "src/test/resources/fixtures/his-sample.jar",
                "binary-without-source",
                None,
            )
            .maybe(
                "src/test/resources/fixtures/his-sample.jar",
                "binary-unattributed",
            ),
    );
    // A published library (Maven metadata) is third-party, also when nested in a war.
    let lib = jar(
        &plain,
        &[(
            "META-INF/maven/org.example/example-util/pom.properties",
            b"groupId=org.example\nartifactId=example-util\nversion=1.2\n".to_vec(),
        )],
    );
    let war = jar(
        &["com/acme/his/App".to_owned()],
        &[("WEB-INF/lib/example-util-1.2.jar", lib)],
    );
    v.push(
        Case::new("clean/war-with-library")
            .file(JAVA_SRC, JAVA_APP)
            .file("deploy/his.war", war),
    );
    dotnet(&mut g, &mut v);
    v
}

const BASE62: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const CS_SRC: &str = "src/His.Web/HomeController.cs";
const CS_APP: &str = "namespace Acme.His.Web\n{\n    public class HomeController { }\n}\n";

/// .NET assemblies built at test time: protected first-party ones, public and vendored ones.
fn dotnet(g: &mut Gen, v: &mut Vec<Case>) {
    let c = "source-obfuscated";
    let mut reactor = plain("Acme.His.Billing");
    reactor.types = (0..8).map(|_| g.chars(BASE62, 18)).collect();
    reactor.methods = (0..12).map(|_| g.chars(BASE62, 22)).collect();
    v.push(
        Case::new("obfuscated/dotnet-random-names")
            .file(CS_SRC, CS_APP)
            .file("lib/Acme.His.Billing.dll", assembly(&reactor))
            .expect("lib/Acme.His.Billing.dll", c, Some("dotnet-protected"))
            .expect("lib/Acme.His.Billing.dll", "binary-without-source", None),
    );
    let mut guid = plain("Acme.His.Pharmacy");
    guid.types.push(format!(
        "<Module>{{{}-1B5A-4C7D-9E2F-0A8B7C6D5E4F}}",
        g.chars("0123456789ABCDEF", 8)
    ));
    v.push(
        Case::new("obfuscated/dotnet-module-guid")
            .file(CS_SRC, CS_APP)
            .file("lib/Acme.His.Pharmacy.dll", assembly(&guid))
            .expect("lib/Acme.His.Pharmacy.dll", c, Some("dotnet-protected"))
            .expect("lib/Acme.His.Pharmacy.dll", "binary-without-source", None),
    );
    let mut bodies = plain("Acme.His.Ris");
    bodies.encrypted_bodies = true;
    v.push(
        Case::new("obfuscated/dotnet-encrypted-bodies")
            .file(CS_SRC, CS_APP)
            .file("lib/Acme.His.Ris.dll", assembly(&bodies))
            .expect("lib/Acme.His.Ris.dll", c, Some("dotnet-protected"))
            .expect("lib/Acme.His.Ris.dll", "binary-without-source", None),
    );
    v.push(
        Case::new("compiled/dotnet-own-without-source")
            .file(CS_SRC, CS_APP)
            .file("lib/Acme.His.Core.dll", assembly(&plain("Acme.His.Core")))
            .expect("lib/Acme.His.Core.dll", "binary-without-source", None),
    );
    v.push(
        Case::new("compiled/dotnet-referenced-by-own-csproj")
            .file(CS_SRC, CS_APP)
            .file(
                "src/His.Web/His.Web.csproj",
                "<Project>\n  <ItemGroup>\n    <Reference Include=\"HisCrypto\"><HintPath>..\\..\\lib\\HisCrypto.dll</HintPath></Reference>\n  </ItemGroup>\n</Project>\n",
            )
            .file("lib/HisCrypto.dll", assembly(&plain("HisCrypto")))
            .warn("lib/HisCrypto.dll", "binary-unattributed", None),
    );
    v.push(
        Case::new("clean/dotnet-public-namespace-patched")
            .file(CS_SRC, CS_APP)
            .file(
                "src/His.Web/Patches/ControllerPatch.cs",
                "namespace System.Web.Mvc\n{\n    class ControllerPatch { }\n}\n",
            )
            .file("bin/System.Web.Mvc.dll", assembly(&plain("System.Web.Mvc")))
            .maybe("bin/System.Web.Mvc.dll", "binary-unattributed"),
    );
    v.push(
        Case::new("clean/dotnet-package-reference")
            .file(CS_SRC, CS_APP)
            .file(
                "src/His.Web/His.Web.csproj",
                "<Project>\n  <ItemGroup>\n    <PackageReference Include=\"Newtonsoft.Json\" Version=\"13.0.3\" />\n  </ItemGroup>\n</Project>\n",
            )
            .file("lib/Newtonsoft.Json.dll", assembly(&plain("Newtonsoft.Json"))),
    );
    let mut vendored = plain("Telerik.Reporting");
    vendored.types = (0..8).map(|_| g.chars(BASE62, 18)).collect();
    vendored.methods = (0..12).map(|_| g.chars(BASE62, 22)).collect();
    v.push(
        Case::new("clean/dotnet-protected-third-party")
            .file(CS_SRC, CS_APP)
            .file(
                "packages/Telerik.Reporting.16.0.1/lib/Telerik.Reporting.dll",
                assembly(&vendored),
            ),
    );
}
