//! What the companion documents say, checked against the code (criterion ④, issue 16): each
//! cross-check (`covers` = tables, dependencies, endpoints, build-tools) passes when the
//! document names every item and names the missing ones when it does not, in Word, Excel,
//! PDF and Markdown documents, Chinese and English; placeholder and unreadable documents;
//! hostile documents that must end as unreadable within a bounded time; change notes on
//! `deposit`.

use std::ffi::OsStr;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::*;
use crate::docgen;

/// The tables `db/schema.sql` creates, as the document is to name them (`dbo.t_patient` is
/// created with its schema and named without it).
const TABLES: [&str; 10] = [
    "t_patient",
    "t_visit",
    "t_order",
    "t_order_item",
    "t_drug",
    "t_dept",
    "t_doctor",
    "t_schedule",
    "t_payment",
    "t_audit_log",
];

/// The dependencies the delivery declares: (name as a document writes it, declared version).
const DEPENDENCIES: [(&str, &str); 7] = [
    ("spring-boot-starter-web", "2.7.18"),
    ("mybatis-spring-boot-starter", "2.3.2"),
    ("druid-spring-boot-starter", "1.2.20"),
    ("axios", "1.6.8"),
    ("vue", "3.4.21"),
    ("Dapper", "2.1.28"),
    ("Microsoft.Data.SqlClient", "5.1.5"),
];

/// The endpoints the delivery's controllers serve.
const ENDPOINTS: [(&str, &str); 5] = [
    ("GET", "/api/patients/{id}"),
    ("POST", "/api/patients"),
    ("GET", "/api/patients/{id}/visits"),
    ("POST", "/api/kiosk/settle"),
    ("GET", "/api/kiosk/status"),
];

/// A delivery's code: database scripts, dependency files (one of them the delivery's own
/// module), Spring and ASP.NET controllers, and the build files that pin tool versions
/// (Maven 3.9.6 by its wrapper, JDK 17, Node.js >=18, .NET 6.0).
fn code(root: &Path) {
    let mut sql = String::from(
        "-- 门诊业务库\nCREATE TABLE [dbo].[t_patient] (id BIGINT PRIMARY KEY, name NVARCHAR(50));\n",
    );
    for t in &TABLES[1..] {
        sql.push_str(&format!(
            "CREATE TABLE IF NOT EXISTS `{t}` (\n  `id` BIGINT NOT NULL AUTO_INCREMENT,\n  PRIMARY KEY (`id`)\n);\n"
        ));
    }
    write(root, "db/schema.sql", sql);
    write(
        root,
        "app/pom.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example.his</groupId>
  <artifactId>app</artifactId>
  <version>1.0.0</version>
  <properties>
    <java.version>17</java.version>
    <mybatis.version>2.3.2</mybatis.version>
  </properties>
  <dependencies>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-web</artifactId>
      <version>2.7.18</version>
    </dependency>
    <dependency>
      <groupId>org.mybatis.spring.boot</groupId>
      <artifactId>mybatis-spring-boot-starter</artifactId>
      <version>${mybatis.version}</version>
    </dependency>
    <dependency>
      <groupId>com.alibaba</groupId>
      <artifactId>druid-spring-boot-starter</artifactId>
      <version>1.2.20</version>
    </dependency>
    <dependency>
      <groupId>com.example.his</groupId>
      <artifactId>his-common</artifactId>
      <version>1.0.0</version>
    </dependency>
  </dependencies>
</project>
"#,
    );
    write(
        root,
        "his-common/pom.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example.his</groupId>
  <artifactId>his-common</artifactId>
  <version>1.0.0</version>
</project>
"#,
    );
    write(
        root,
        ".mvn/wrapper/maven-wrapper.properties",
        "distributionUrl=https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/3.9.6/apache-maven-3.9.6-bin.zip\n",
    );
    write(
        root,
        "web/package.json",
        r#"{
  "name": "his-web",
  "version": "1.0.0",
  "private": true,
  "scripts": { "build": "vite build" },
  "dependencies": { "axios": "1.6.8", "vue": "3.4.21" },
  "engines": { "node": ">=18" }
}
"#,
    );
    write(
        root,
        "kiosk/Kiosk.csproj",
        r#"<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net6.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Dapper" Version="2.1.28" />
    <PackageReference Include="Microsoft.Data.SqlClient" Version="5.1.5" />
  </ItemGroup>
</Project>
"#,
    );
    controllers(root);
}

/// A Spring controller (class-level prefix) and an ASP.NET one (`[Route]`).
fn controllers(root: &Path) {
    write(
        root,
        "app/src/main/java/com/example/his/PatientController.java",
        r#"package com.example.his;

import org.springframework.web.bind.annotation.*;

@RestController
@RequestMapping("/api/patients")
public class PatientController {
    @GetMapping("/{id}")
    public String get(@PathVariable long id) { return "patient"; }

    @PostMapping
    public String create(@RequestBody String body) { return "created"; }

    @GetMapping("/{id}/visits")
    public String visits(@PathVariable long id) { return "visits"; }
}
"#,
    );
    write(
        root,
        "kiosk/Controllers/KioskController.cs",
        r#"using Microsoft.AspNetCore.Mvc;

namespace Example.Kiosk.Controllers;

[ApiController]
[Route("api/kiosk")]
public class KioskController : ControllerBase
{
    [HttpPost("settle")]
    public IActionResult Settle() => Ok();

    [HttpGet("status")]
    public IActionResult Status() => Ok();
}
"#,
    );
}

/// A manifest: one module holding the code, the scripts and dependency files as requirements,
/// and `documents` (`[[document]]` tables written out whole).
fn manifest_of(dir: &Path, documents: &str) -> std::path::PathBuf {
    manifest(
        dir,
        &format!(
            r#"schema-version = 1

[[module]]
id = "app"
name = "门诊系统"
paths = ["app/**", "his-common/**", "web/**", "kiosk/**"]

[[database]]
id = "db-scripts"
name = "数据库脚本"
paths = ["db/**/*.sql"]

[[dependencies]]
id = "dependency-manifests"
name = "依赖清单文件"
paths = ["**/pom.xml", "**/package.json", "**/*.csproj"]

{documents}"#
        ),
    )
}

/// A `[[document]]` table.
fn document(id: &str, glob: &str, covers: &str) -> String {
    let covers = if covers.is_empty() {
        String::new()
    } else {
        format!("covers = [\"{covers}\"]\n")
    };
    format!("[[document]]\nid = \"{id}\"\nname = \"{id}\"\npaths = [\"{glob}\"]\n{covers}\n")
}

/// `escrow check` of a delivery made by `make` with `documents`, its JSON report.
fn check_with(make: impl FnOnce(&Path), documents: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("delivery");
    code(&root);
    make(&root);
    let m = manifest_of(dir.path(), documents);
    check_json(&root, &m).json()
}

/// The findings of `code` about requirement `id`.
fn of<'a>(report: &'a serde_json::Value, code: &str, id: &str) -> Vec<&'a serde_json::Value> {
    with_code(report, code)
        .into_iter()
        .filter(|f| f["requirement"] == id)
        .collect()
}

/// The requirement's cross-check of `covers`.
fn cross_check<'a>(report: &'a serde_json::Value, id: &str, covers: &str) -> &'a serde_json::Value {
    let r = requirement(report, id);
    r["cross_checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no cross_checks in {r}"))
        .iter()
        .find(|c| c["covers"] == covers)
        .unwrap_or_else(|| panic!("no {covers} cross-check in {r}"))
}

/// The `missing` list of a cross-check, as strings.
fn missing(check: &serde_json::Value) -> Vec<String> {
    check["missing"]
        .as_array()
        .unwrap_or_else(|| panic!("no missing list in {check}"))
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect()
}

/// The evidence lines of a finding, joined.
fn evidence(f: &serde_json::Value) -> String {
    f["evidence"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// Sentences of real documentation (about 30 words each), to pass the placeholder check.
fn prose(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            format!(
                "第{i}节：本系统服务于门诊与住院业务，数据每日凌晨同步至院方数据中心，运维人员按本说明核对配置。"
            )
        })
        .collect()
}

// ---- tables ----

#[test]
fn a_word_table_naming_every_table_in_its_cells_passes() {
    let intro = prose(6);
    let mut paragraphs: Vec<&str> = intro.iter().map(String::as_str).collect();
    paragraphs.insert(0, "数据库设计说明（门诊系统）");
    let mut rows = vec![vec!["表名", "说明"]];
    rows.extend(TABLES.iter().map(|t| vec![*t, "业务表"]));
    let docx = docgen::docx(&paragraphs, &[rows]);
    let r = check_with(
        |root| write(root, "docs/数据库设计说明.docx", &docx),
        &document("database-design", "docs/*数据库*", "tables"),
    );
    assert!(
        of(&r, "document-tables-undocumented", "database-design").is_empty(),
        "{r}"
    );
    let check = cross_check(&r, "database-design", "tables");
    assert_eq!(check["items"], 10, "{check}");
    assert_eq!(check["named"], 10, "{check}");
    assert!(missing(check).is_empty(), "{check}");
    let listed = requirement(&r, "database-design")["documents"]
        .as_array()
        .unwrap();
    assert_eq!(listed[0]["format"], "docx");
    assert_eq!(listed[0]["readable"], true);
    assert_eq!(requirement(&r, "database-design")["status"], "met");
}

#[test]
fn a_word_document_leaving_tables_out_names_them_with_its_coverage() {
    let intro = prose(6);
    let paragraphs: Vec<&str> = intro.iter().map(String::as_str).collect();
    // Seven of ten, the schema-qualified one among them written with its schema.
    let mut rows = vec![vec!["表名", "说明"], vec!["dbo.t_patient", "患者"]];
    rows.extend(TABLES[1..7].iter().map(|t| vec![*t, "业务表"]));
    let docx = docgen::docx(&paragraphs, &[rows]);
    let r = check_with(
        |root| write(root, "docs/数据库设计说明.docx", &docx),
        &document("database-design", "docs/*数据库*", "tables"),
    );
    let f = of(&r, "document-tables-undocumented", "database-design");
    assert_eq!(f.len(), 1, "{:?}", codes(&r));
    assert_eq!(f[0]["severity"], "warn");
    let message = f[0]["message"].as_str().unwrap();
    assert!(
        message.contains("names 7 of the 10 tables the delivered database scripts create (70%, at least 80% required)"),
        "{message}"
    );
    let ev = evidence(f[0]);
    for t in &TABLES[7..] {
        assert!(ev.contains(t), "{t} not in evidence {ev}");
    }
    assert!(!ev.contains("t_order_item"), "{ev}");
    let check = cross_check(&r, "database-design", "tables");
    assert_eq!(check["items"], 10);
    assert_eq!(check["named"], 7);
    assert_eq!(check["percent"], 70);
    assert_eq!(check["min_percent"], 80);
    let mut want: Vec<String> = TABLES[7..].iter().map(|t| (*t).to_owned()).collect();
    want.sort();
    let mut got = missing(check);
    got.sort();
    assert_eq!(got, want);
}

#[test]
fn a_markdown_document_in_english_naming_tables_with_their_schema_passes() {
    let mut md =
        String::from("# Database design\n\nThe outpatient database holds these tables:\n\n");
    md.push_str("- DBO.T_PATIENT: patients, one row per person registered at the hospital.\n");
    for t in &TABLES[1..] {
        md.push_str(&format!(
            "- {t}: a business table written by the application.\n"
        ));
    }
    md.push_str(&"Every table has an id primary key and audit columns. ".repeat(10));
    let r = check_with(
        |root| write(root, "docs/database-design.md", &md),
        &document("database-design", "docs/*database*", "tables"),
    );
    assert!(
        of(&r, "document-tables-undocumented", "database-design").is_empty(),
        "{r}"
    );
    assert_eq!(cross_check(&r, "database-design", "tables")["named"], 10);
}

// ---- dependencies ----

fn dependency_sheet(skip: &[&str], versions: &[(&str, &str)]) -> Vec<u8> {
    let mut rows = vec![vec!["依赖库", "版本", "许可证", "用途"]];
    for (name, version) in DEPENDENCIES {
        if skip.contains(&name) {
            continue;
        }
        let version = versions
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(version, |(_, v)| *v);
        rows.push(vec![
            name,
            version,
            "Apache-2.0",
            "第三方开源组件，随源码移交院方维护",
        ]);
    }
    rows.push(vec![
        "说明",
        "",
        "",
        "以上依赖均为开源组件，构建时从院内制品库获取，不访问公网，升级须经信息中心审核。",
    ]);
    docgen::xlsx(&rows)
}

#[test]
fn a_spreadsheet_listing_every_dependency_passes() {
    let sheet = dependency_sheet(&[], &[]);
    let r = check_with(
        |root| write(root, "docs/依赖库清单.xlsx", &sheet),
        &document("dependency-list", "docs/*依赖*", "dependencies"),
    );
    assert!(
        of(&r, "document-dependencies-undocumented", "dependency-list").is_empty(),
        "{r}"
    );
    assert!(
        of(&r, "document-versions-differ", "dependency-list").is_empty(),
        "{r}"
    );
    let check = cross_check(&r, "dependency-list", "dependencies");
    // The delivery's own module (his-common) is no third-party dependency.
    assert_eq!(check["items"], 7, "{check}");
    assert_eq!(check["named"], 7, "{check}");
    assert!(!missing(check).iter().any(|m| m.contains("his-common")));
    assert_eq!(
        requirement(&r, "dependency-list")["documents"][0]["format"],
        "xlsx"
    );
}

#[test]
fn a_spreadsheet_leaving_dependencies_out_names_them() {
    let sheet = dependency_sheet(&["Dapper", "vue"], &[]);
    let r = check_with(
        |root| write(root, "docs/依赖库清单.xlsx", &sheet),
        &document("dependency-list", "docs/*依赖*", "dependencies"),
    );
    let f = of(&r, "document-dependencies-undocumented", "dependency-list");
    assert_eq!(f.len(), 1, "{:?}", codes(&r));
    let message = f[0]["message"].as_str().unwrap();
    assert!(
        message.contains("names 5 of the 7 dependencies the delivered dependency files declare (71%, at least 80% required)"),
        "{message}"
    );
    let ev = evidence(f[0]);
    assert!(ev.contains("Dapper") && ev.contains("vue"), "{ev}");
    let check = cross_check(&r, "dependency-list", "dependencies");
    assert_eq!(check["named"], 5);
    let m = missing(check);
    assert_eq!(m.len(), 2, "{m:?}");
    assert!(m.iter().any(|d| d.contains("Dapper")), "{m:?}");
    assert!(m.iter().any(|d| d.starts_with("vue ")), "{m:?}");
}

#[test]
fn a_version_other_than_the_declared_one_is_named() {
    let sheet = dependency_sheet(&[], &[("mybatis-spring-boot-starter", "2.3.1")]);
    let r = check_with(
        |root| write(root, "docs/依赖库清单.xlsx", &sheet),
        &document("dependency-list", "docs/*依赖*", "dependencies"),
    );
    assert!(
        of(&r, "document-dependencies-undocumented", "dependency-list").is_empty(),
        "{r}"
    );
    let f = of(&r, "document-versions-differ", "dependency-list");
    assert_eq!(f.len(), 1, "{:?}", codes(&r));
    assert_eq!(f[0]["severity"], "warn");
    let ev = evidence(f[0]);
    assert!(
        ev.contains("mybatis-spring-boot-starter") && ev.contains("2.3.1") && ev.contains("2.3.2"),
        "{ev}"
    );
    let differ = cross_check(&r, "dependency-list", "dependencies")["versions_differ"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(differ.len(), 1, "{differ:?}");
    assert!(
        differ[0]["name"]
            .as_str()
            .unwrap()
            .ends_with("mybatis-spring-boot-starter")
    );
    // The version is the one the pom's property gives.
    assert_eq!(differ[0]["declared"], "2.3.2");
    assert_eq!(differ[0]["documented"], "2.3.1");
}

// ---- endpoints ----

#[test]
fn a_pdf_interface_document_naming_every_endpoint_passes() {
    let mut lines = vec![
        "接口说明文档 Interface specification".to_owned(),
        "All requests and responses are JSON encoded in UTF-8.".to_owned(),
    ];
    for (method, path) in ENDPOINTS {
        lines.push(format!(
            "{method} {path}  接口说明：返回统一结构 code message data"
        ));
    }
    lines.extend(prose(5));
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let pdf = docgen::pdf(&lines);
    let r = check_with(
        |root| write(root, "docs/接口说明文档.pdf", &pdf),
        &document("interface-spec", "docs/*接口*", "endpoints"),
    );
    assert!(
        of(&r, "document-endpoints-undocumented", "interface-spec").is_empty(),
        "{r}"
    );
    let check = cross_check(&r, "interface-spec", "endpoints");
    assert_eq!(check["items"], 5, "{check}");
    assert_eq!(check["named"], 5, "{check}");
    let docs = &requirement(&r, "interface-spec")["documents"][0];
    assert_eq!(docs["format"], "pdf");
    assert_eq!(docs["readable"], true);
    assert!(docs["words"].as_u64().unwrap() >= 100, "{docs}");
}

#[test]
fn a_markdown_interface_document_leaving_endpoints_out_names_them() {
    let mut md = String::from("# 接口说明文档\n\n所有接口均返回 JSON。\n\n");
    for (method, path) in &ENDPOINTS[..3] {
        md.push_str(&format!(
            "## {method} `{path}`\n\n参数与返回值见下表，调用需携带网关下发的令牌。\n\n"
        ));
    }
    for p in prose(4) {
        md.push_str(&p);
        md.push('\n');
    }
    let r = check_with(
        |root| write(root, "docs/接口说明文档.md", &md),
        &document("interface-spec", "docs/*接口*", "endpoints"),
    );
    let f = of(&r, "document-endpoints-undocumented", "interface-spec");
    assert_eq!(f.len(), 1, "{:?}", codes(&r));
    let message = f[0]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "names 3 of the 5 HTTP endpoints the delivered code serves (60%, at least 80% required)"
        ),
        "{message}"
    );
    let ev = evidence(f[0]);
    assert!(
        ev.contains("/api/kiosk/settle") && ev.contains("/api/kiosk/status"),
        "{ev}"
    );
    let m = missing(cross_check(&r, "interface-spec", "endpoints"));
    assert_eq!(m.len(), 2, "{m:?}");
    assert!(m.iter().all(|e| e.contains("/api/kiosk/")), "{m:?}");
}

// ---- build tools ----

#[test]
fn an_english_build_guide_naming_every_tool_and_version_passes() {
    let md = format!(
        "# Build guide\n\nBuild the Java service with Apache Maven 3.9.6 (the wrapper pins it) and JDK 17. \
         Build the web front end with Node.js 18 and npm (`npm ci && npm run build`). \
         Build the kiosk service with the .NET SDK 6.0 (`dotnet publish -c Release`).\n\n{}",
        "The build needs no network access: every package comes from the hospital's mirror. "
            .repeat(8)
    );
    let r = check_with(
        |root| write(root, "docs/build-guide.md", &md),
        &document("build-guide", "docs/*build*", "build-tools"),
    );
    assert!(
        of(&r, "document-build-tools-undocumented", "build-guide").is_empty(),
        "{r}"
    );
    let check = cross_check(&r, "build-guide", "build-tools");
    assert!(check["items"].as_u64().unwrap() >= 4, "{check}");
    assert_eq!(check["named"], check["items"], "{check}");
    assert_eq!(check["min_percent"], 100);
}

#[test]
fn a_build_guide_without_a_tool_or_its_pinned_version_is_found() {
    // A Word document in Chinese: Maven without its pinned version, and no .NET SDK at all.
    let intro = prose(5);
    let mut paragraphs: Vec<&str> = vec![
        "编译环境说明",
        "Java 模块使用 Maven 构建，JDK 版本为 17。",
        "前端使用 Node.js 18 与 npm 构建。",
    ];
    paragraphs.extend(intro.iter().map(String::as_str));
    let docx = docgen::docx(&paragraphs, &[]);
    let r = check_with(
        |root| write(root, "docs/编译环境说明.docx", &docx),
        &document("build-guide", "docs/*编译*", "build-tools"),
    );
    let f = of(&r, "document-build-tools-undocumented", "build-guide");
    assert!(!f.is_empty(), "{:?}", codes(&r));
    let ev: String = f.iter().map(|x| evidence(x)).collect::<Vec<_>>().join("\n");
    assert!(ev.contains(".NET"), "{ev}");
    assert!(ev.contains("3.9.6"), "{ev}");
    let m = missing(cross_check(&r, "build-guide", "build-tools"));
    assert!(m.iter().any(|t| t.contains(".NET")), "{m:?}");
    assert!(!m.iter().any(|t| t.contains("Node")), "{m:?}");
}

// ---- placeholders and unreadable documents ----

#[test]
fn placeholder_documents_are_found_with_their_word_counts() {
    let empty = docgen::docx(&[], &[]);
    let template_lines: Vec<String> = (1..=8).map(|i| format!("{i}. 章节标题：待补充")).collect();
    let template: Vec<&str> = template_lines.iter().map(String::as_str).collect();
    let template = docgen::docx(&template, &[]);
    let twenty = "This document describes the outpatient registration system and will be completed after the acceptance meeting next month by vendor staff";
    let short_pdf = docgen::pdf(&[twenty]);
    let real_lines = prose(8);
    let real: Vec<&str> = real_lines.iter().map(String::as_str).collect();
    let real = docgen::docx(&real, &[]);
    let documents = [
        document("empty", "docs/empty.docx", ""),
        document("template", "docs/template.docx", ""),
        document("short", "docs/short.pdf", ""),
        document("real", "docs/real.docx", ""),
    ]
    .concat();
    let r = check_with(
        |root| {
            write(root, "docs/empty.docx", &empty);
            write(root, "docs/template.docx", &template);
            write(root, "docs/short.pdf", &short_pdf);
            write(root, "docs/real.docx", &real);
        },
        &documents,
    );
    for (id, words) in [("empty", Some(0)), ("template", None), ("short", Some(20))] {
        let f = of(&r, "document-placeholder", id);
        assert_eq!(f.len(), 1, "{id}: {:?}", codes(&r));
        assert_eq!(f[0]["severity"], "deny");
        let ev = evidence(f[0]);
        match words {
            Some(n) => assert!(ev.contains(&format!("{n} words")), "{id}: {ev}"),
            None => assert!(ev.contains(" words"), "{id}: {ev}"),
        }
    }
    assert_eq!(
        requirement(&r, "short")["documents"][0]["words"],
        20,
        "{}",
        requirement(&r, "short")
    );
    assert_eq!(
        requirement(&r, "template")["documents"][0]["placeholder"],
        true
    );
    assert!(of(&r, "document-placeholder", "real").is_empty(), "{r}");
    assert_eq!(requirement(&r, "real")["status"], "met");
    assert_eq!(
        requirement(&r, "real")["documents"][0]["placeholder"],
        false
    );
}

#[test]
fn unreadable_documents_are_found_and_never_met_by_size() {
    let legacy = docgen::legacy_doc(64 << 10);
    let damaged_lines = prose(40);
    let damaged: Vec<&str> = damaged_lines.iter().map(String::as_str).collect();
    let damaged = docgen::damaged_docx(&damaged);
    let documents = [
        document("legacy", "docs/*.doc", ""),
        document("damaged", "docs/*.docx", ""),
    ]
    .concat();
    let r = check_with(
        |root| {
            write(root, "docs/用户手册.doc", &legacy);
            write(root, "docs/运维手册.docx", &damaged);
        },
        &documents,
    );
    // A .docx whose zip is cut short is no Word document at all: that deny finding says it,
    // and its text is not read.
    let damaged = of(&r, "document-not-a-document", "damaged");
    assert_eq!(damaged.len(), 1, "{:?}", codes(&r));
    assert_eq!(damaged[0]["severity"], "deny");
    assert!(of(&r, "document-unreadable", "damaged").is_empty());
    assert_ne!(requirement(&r, "damaged")["status"], "met");
    let id = "legacy";
    {
        let f = of(&r, "document-unreadable", id);
        assert_eq!(f.len(), 1, "{id}: {:?}", codes(&r));
        assert_eq!(f[0]["severity"], "warn");
        assert!(!evidence(f[0]).is_empty(), "{id}: {}", f[0]);
        let req = requirement(&r, id);
        assert_ne!(req["status"], "met", "{req}");
        let doc = &req["documents"][0];
        assert_eq!(doc["readable"], false, "{doc}");
        assert!(doc["unreadable"]["en"].is_string(), "{doc}");
        assert!(doc["unreadable"]["zh"].is_string(), "{doc}");
    }
    let legacy_path = of(&r, "document-unreadable", "legacy")[0]["path"].clone();
    assert_eq!(legacy_path, "docs/用户手册.doc");
}

#[test]
fn hostile_documents_end_as_unreadable_in_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("delivery");
    code(&root);
    write(&root, "docs/部署手册.docx", docgen::zip_bomb_docx());
    write(&root, "docs/接口说明文档.pdf", docgen::pdf_object_loop());
    docgen::huge_xlsx(&root.join("docs/依赖库清单.xlsx"));
    let mut guide = String::from("# 部署说明\n\n");
    for p in prose(8) {
        guide.push_str(&p);
        guide.push('\n');
    }
    write(&root, "docs/运维说明.md", guide);
    let documents = [
        document("bomb", "docs/部署手册.docx", ""),
        document("loop", "docs/接口说明文档.pdf", "endpoints"),
        document("huge", "docs/依赖库清单.xlsx", "dependencies"),
        document("ops", "docs/运维说明.md", ""),
    ]
    .concat();
    let m = manifest_of(dir.path(), &documents);
    let start = Instant::now();
    let run = check_json(&root, &m);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(30), "the check took {took:?}");
    let r = run.json();
    for id in ["bomb", "loop", "huge"] {
        let f = of(&r, "document-unreadable", id);
        assert_eq!(f.len(), 1, "{id}: {:?}", codes(&r));
        assert_ne!(requirement(&r, id)["status"], "met", "{id}");
    }
    // The rest of the check ran.
    assert_eq!(requirement(&r, "ops")["status"], "met");
    assert_eq!(requirement(&r, "app")["status"], "met");
    assert_eq!(requirement(&r, "db-scripts")["status"], "met");
}

// ---- change notes ----

fn deposit(vault: &Path, dir: &Path, label: &str, note: Option<&Path>) -> serde_json::Value {
    let manifest = chaoyang();
    let mut args: Vec<&OsStr> = vec![
        "deposit".as_ref(),
        dir.as_os_str(),
        "-m".as_ref(),
        manifest.as_os_str(),
        "--label".as_ref(),
        label.as_ref(),
        "--vault".as_ref(),
        vault.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ];
    if let Some(n) = note {
        args.push("--note".as_ref());
        args.push(n.as_os_str());
    }
    let run = escrow(args);
    assert_ne!(run.code, 2, "{}", run.stderr);
    run.json()
}

/// Deposit the sample as v1, then change a file of jingtong and one of self-service and
/// deposit v2 with a change note of `note`: the v2 report.
fn deposit_update(note: &str) -> serde_json::Value {
    let tmp = tempfile::tempdir().unwrap();
    let vault = tmp.path().join("vault");
    let d = tmp.path().join("d");
    copy_dir(&sample(), &d);
    deposit(&vault, &d, "v1", None);
    let java = d.join("jingtong/src/main/java/com/sxyl/jingtong/service/MedicalCardService.java");
    let mut text = std::fs::read_to_string(&java).unwrap();
    text.push_str("\n// 京通网关新版返回格式\n");
    std::fs::write(&java, text).unwrap();
    let cs = d.join("self-service/SelfService.Kiosk/Services/SettlementService.cs");
    let mut text = std::fs::read_to_string(&cs).unwrap();
    text.push_str("\n// 医保结算超时 30 秒\n");
    std::fs::write(&cs, text).unwrap();
    let n = tmp.path().join("修改说明.md");
    std::fs::write(&n, note).unwrap();
    deposit(&vault, &d, "v2", Some(&n))["report"].clone()
}

#[test]
fn a_change_note_leaving_a_changed_module_out_names_it() {
    let report =
        deposit_update("V2.4.1 修改说明\n\n- 京通：电子就诊卡绑定适配网关新版返回格式。\n");
    let f = with_code(&report, "change-note-incomplete");
    assert!(!f.is_empty(), "{:?}", codes(&report));
    assert!(f.iter().all(|x| x["severity"] == "warn"));
    let named = |x: &&serde_json::Value| {
        x["requirement"] == "self-service"
            || x["message"].as_str().unwrap_or("").contains("self-service")
    };
    assert!(f.iter().any(named), "{f:?}");
    assert!(
        !f.iter().any(|x| x["requirement"] == "jingtong"),
        "jingtong is mentioned: {f:?}"
    );
}

#[test]
fn a_change_note_mentioning_every_changed_module_is_complete() {
    let report = deposit_update(
        "V2.4.1 修改说明\n\n- 京通：电子就诊卡绑定适配网关新版返回格式。\n- self-service/：医保结算超时调整为 30 秒。\n",
    );
    assert!(
        with_code(&report, "change-note-incomplete").is_empty(),
        "{:?}",
        codes(&report)
    );
    assert!(
        with_code(&report, "change-note-missing").is_empty(),
        "{:?}",
        codes(&report)
    );
}

#[test]
fn a_powerpoint_interface_document_naming_every_endpoint_passes() {
    let intro = prose(5);
    let mut slides: Vec<Vec<&str>> = vec![intro.iter().map(String::as_str).collect()];
    let lines: Vec<String> = ENDPOINTS
        .iter()
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    slides.push(lines.iter().map(String::as_str).collect());
    let pptx = docgen::pptx(&slides);
    let r = check_with(
        |root| write(root, "docs/接口说明.pptx", &pptx),
        &document("interface-spec", "docs/*接口*", "endpoints"),
    );
    assert!(
        of(&r, "document-endpoints-undocumented", "interface-spec").is_empty(),
        "{r}"
    );
    assert_eq!(cross_check(&r, "interface-spec", "endpoints")["named"], 5);
    assert_eq!(
        requirement(&r, "interface-spec")["documents"][0]["format"],
        "pptx"
    );
}

/// Deposit `d` into `vault` with the sample manifest plus a change log document covering
/// `changes` (`CHANGELOG.md`): the report.
fn deposit_with_change_log(vault: &Path, d: &Path, label: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(chaoyang()).unwrap();
    let m = manifest(
        vault.parent().unwrap(),
        &format!(
            "{text}\n[[document]]\nid = \"change-log\"\nname = \"修改说明\"\npaths = [\"CHANGELOG.md\"]\ncovers = [\"changes\"]\nmin-words = 1\n"
        ),
    );
    let run = escrow([
        "deposit".as_ref(),
        d.as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
        "--label".as_ref(),
        label.as_ref(),
        "--vault".as_ref(),
        vault.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    run.json()["report"].clone()
}

fn touch(d: &Path, rel: &str, line: &str) {
    let p = d.join(rel);
    let mut text = std::fs::read_to_string(&p).unwrap();
    text.push_str(line);
    std::fs::write(&p, text).unwrap();
}

#[test]
fn a_change_log_counts_only_what_this_update_added() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = tmp.path().join("vault");
    let d = tmp.path().join("d");
    copy_dir(&sample(), &d);
    let jingtong = "jingtong/src/main/java/com/sxyl/jingtong/service/MedicalCardService.java";
    let kiosk = "self-service/SelfService.Kiosk/Services/SettlementService.cs";
    // v1: the change log's history names both modules.
    write(
        &d,
        "CHANGELOG.md",
        "# 修改说明\n\n## V2.3\n- 京通：就诊卡绑定接口适配。\n- 自助出入院与自助结算：医保结算优化。\n",
    );
    deposit_with_change_log(&vault, &d, "v1");

    // v2 changes both modules and leaves the change log as it was: it is no note for v2.
    touch(&d, jingtong, "\n// v2\n");
    touch(&d, kiosk, "\n// v2\n");
    let r = deposit_with_change_log(&vault, &d, "v2");
    assert_eq!(
        with_code(&r, "change-note-missing").len(),
        1,
        "an unchanged change log describes an earlier update: {:?}",
        codes(&r)
    );
    assert!(with_code(&r, "change-note-incomplete").is_empty());

    // v3 changes both again; the new entry names only 京通. The old entry naming the kiosk
    // module says nothing about v3.
    touch(&d, jingtong, "\n// v3\n");
    touch(&d, kiosk, "\n// v3\n");
    touch(
        &d,
        "CHANGELOG.md",
        "\n## V2.4\n- 京通：网关新版返回格式。\n",
    );
    let r = deposit_with_change_log(&vault, &d, "v3");
    assert!(
        with_code(&r, "change-note-missing").is_empty(),
        "{:?}",
        codes(&r)
    );
    let f = with_code(&r, "change-note-incomplete");
    assert_eq!(f.len(), 1, "{:?}", codes(&r));
    assert_eq!(f[0]["requirement"], "self-service");
}

#[test]
fn documents_past_the_limit_are_named_not_skipped_silently() {
    // Padding files larger than the real design document push it past the documents read:
    // the report says which were not read instead of judging on the padding alone.
    let text = prose(40).join("\n");
    let r = check_with(
        |root| {
            write(root, "docs/设计/数据库设计说明.md", TABLES.join("\n"));
            for i in 0..55 {
                write(root, &format!("docs/设计/附录{i:02}.md"), &text);
            }
        },
        &document("database-design", "docs/设计/*.md", "tables"),
    );
    let f = of(&r, "document-unreadable", "database-design");
    assert_eq!(f.len(), 1, "{:?}", codes(&r));
    let message = f[0]["message"].as_str().unwrap();
    assert!(
        message.contains("6 more matching files were not read: only the 50 largest are"),
        "{message}"
    );
    assert!(
        evidence(f[0]).contains("docs/设计/数据库设计说明.md"),
        "{}",
        f[0]
    );
}
