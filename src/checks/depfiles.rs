//! Parsers for dependency manifests. Each answers one question: would a build tool read this
//! file? A failure carries the parser's message and the line.

pub mod extract;

use crate::delivery::names;
use crate::text;

/// The format a dependency file (pom.xml, package.json, go.mod, …) is parsed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepFileFormat {
    Xml,
    Json,
    Toml,
    Requirements,
    GoMod,
    /// Any other file: it must be non-empty text.
    Other,
}

impl DepFileFormat {
    /// Choose the format from the file name.
    pub fn of(path: &[u8]) -> DepFileFormat {
        let name = String::from_utf8_lossy(names::file_name(path)).to_lowercase();
        let ext = names::extension(path).unwrap_or_default();
        if name == "go.mod" {
            DepFileFormat::GoMod
        } else if name.starts_with("requirements") && ext == "txt"
            || name.ends_with("requirements.in")
        {
            DepFileFormat::Requirements
        } else if matches!(
            ext.as_str(),
            "xml"
                | "csproj"
                | "vbproj"
                | "fsproj"
                | "vcxproj"
                | "props"
                | "targets"
                | "config"
                | "nuspec"
        ) {
            DepFileFormat::Xml
        } else if ext == "json" {
            DepFileFormat::Json
        } else if ext == "toml" {
            DepFileFormat::Toml
        } else {
            DepFileFormat::Other
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DepFileFormat::Xml => "XML",
            DepFileFormat::Json => "JSON",
            DepFileFormat::Toml => "TOML",
            DepFileFormat::Requirements => "requirements.txt",
            DepFileFormat::GoMod => "go.mod",
            DepFileFormat::Other => "text",
        }
    }
}

/// Why a file does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailure {
    pub line: Option<u64>,
    pub message: String,
}

fn fail(line: Option<u64>, message: impl Into<String>) -> ParseFailure {
    ParseFailure {
        line,
        message: message.into(),
    }
}

/// Parse a dependency manifest's bytes as `format`.
pub fn parse(format: DepFileFormat, bytes: &[u8]) -> Result<(), ParseFailure> {
    let (text, _) = text::decode(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if text.trim().is_empty() {
        return Err(fail(None, "the file is empty"));
    }
    match format {
        DepFileFormat::Xml => xml(text),
        DepFileFormat::Json => json(text),
        DepFileFormat::Toml => toml_file(text),
        DepFileFormat::Requirements => requirements(text),
        DepFileFormat::GoMod => go_mod(text),
        DepFileFormat::Other => Ok(()),
    }
}

fn xml(text: &str) -> Result<(), ParseFailure> {
    // An XML declaration names the file's encoding; the text is already decoded.
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, opts)
        .map(|_| ())
        .map_err(|e| fail(Some(u64::from(e.pos().row)), e.to_string()))
}

fn json(text: &str) -> Result<(), ParseFailure> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        Ok(_) => Err(fail(Some(1), "the top level must be a JSON object")),
        Err(e) => Err(fail(Some(e.line() as u64), e.to_string())),
    }
}

fn toml_file(text: &str) -> Result<(), ParseFailure> {
    toml::from_str::<toml::Table>(text)
        .map(|_| ())
        .map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() as u64 + 1);
            fail(line, e.message().trim().to_owned())
        })
}

/// pip's requirements file syntax: options, URLs and paths, and PEP 508 requirements.
fn requirements(text: &str) -> Result<(), ParseFailure> {
    let mut logical = String::new();
    let mut start_line = 0;
    for (i, raw) in text.lines().enumerate() {
        if logical.is_empty() {
            start_line = i + 1;
        }
        if let Some(cont) = raw.strip_suffix('\\') {
            logical.push_str(cont);
            continue;
        }
        logical.push_str(raw);
        let line = std::mem::take(&mut logical);
        requirement_line(&line).map_err(|m| fail(Some(start_line as u64), m))?;
    }
    if !logical.is_empty() {
        requirement_line(&logical).map_err(|m| fail(Some(start_line as u64), m))?;
    }
    Ok(())
}

fn requirement_line(line: &str) -> Result<(), String> {
    // A comment starts at '#' preceded by whitespace or at the start of the line.
    let line = match line.find(" #").or_else(|| line.find("\t#")) {
        Some(i) => &line[..i],
        None if line.trim_start().starts_with('#') => "",
        None => line,
    };
    let line = line.trim();
    if line.is_empty() || line.starts_with('-') {
        return Ok(()); // blank, or an option such as -r, -e, --index-url
    }
    let line = requirement_options(line)?;
    if line.contains("://") || line.starts_with('.') || line.starts_with('/') {
        return Ok(()); // a URL or a local path
    }
    let name_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .unwrap_or(line.len());
    let name = &line[..name_end];
    if name.is_empty()
        || !name.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !name.ends_with(|c: char| c.is_ascii_alphanumeric())
    {
        return Err(format!(
            "{line:?} is not a requirement (expected a package name such as \"requests==2.31.0\")"
        ));
    }
    let mut rest = line[name_end..].trim_start();
    if let Some(r) = rest.strip_prefix('[') {
        let Some(close) = r.find(']') else {
            return Err(format!("{line:?}: unclosed '[' in extras"));
        };
        rest = r[close + 1..].trim_start();
    }
    let (spec, marker) = match rest.split_once(';') {
        Some((s, m)) => (s.trim(), Some(m.trim())),
        None => (rest, None),
    };
    if marker == Some("") {
        return Err(format!("{line:?}: empty environment marker after ';'"));
    }
    if let Some(url) = spec.strip_prefix('@') {
        return if url.trim().is_empty() {
            Err(format!("{line:?}: '@' must be followed by a URL"))
        } else {
            Ok(())
        };
    }
    let spec = spec.trim_start_matches('(').trim_end_matches(')');
    for clause in spec.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let op_len = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"]
            .iter()
            .find(|op| clause.starts_with(**op))
            .map(|op| op.len());
        let Some(op_len) = op_len else {
            return Err(format!(
                "{line:?}: version clause {clause:?} must start with ==, >=, <=, ~=, !=, <, > or ==="
            ));
        };
        let version = clause[op_len..].trim();
        if version.is_empty()
            || !version.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '*' | '+' | '!' | '-' | '_')
            })
        {
            return Err(format!("{line:?}: bad version {version:?}"));
        }
    }
    Ok(())
}

/// Options after a requirement (pip-compile's `--generate-hashes` writes
/// `requests==2.31.0 --hash=sha256:…` once continuation lines are joined): checked as pip checks
/// them, then cut off. Returns the requirement before them.
fn requirement_options(line: &str) -> Result<&str, String> {
    let start = line
        .char_indices()
        .zip(line.chars().skip(1))
        .find(|&((_, c), next)| c.is_whitespace() && next == '-')
        .map(|((i, _), _)| i);
    let Some(start) = start else {
        return Ok(line);
    };
    let mut args = line[start..].split_whitespace();
    while let Some(arg) = args.next() {
        let (name, inline) = if let Some(v) = arg.strip_prefix("-C").filter(|v| !v.is_empty()) {
            ("--config-settings", Some(v))
        } else {
            match arg.split_once('=') {
                Some((n, v)) if n.starts_with("--") => (n, Some(v)),
                _ => (
                    if arg == "-C" {
                        "--config-settings"
                    } else {
                        arg
                    },
                    None,
                ),
            }
        };
        if !matches!(
            name,
            "--hash" | "--config-settings" | "--global-option" | "--install-option"
        ) {
            return Err(format!(
                "{line:?}: {arg:?} is not an option of a requirement (--hash, --config-settings, --global-option)"
            ));
        }
        let Some(value) = inline.or_else(|| args.next()).filter(|v| !v.is_empty()) else {
            return Err(format!("{line:?}: option {name} needs a value"));
        };
        if name == "--hash" {
            let ok = value.split_once(':').is_some_and(|(algo, digest)| {
                matches!(algo, "sha256" | "sha384" | "sha512") && !digest.is_empty()
            });
            if !ok {
                return Err(format!(
                    "{line:?}: --hash {value:?} must be sha256:, sha384: or sha512: and a digest"
                ));
            }
        }
    }
    Ok(line[..start].trim_end())
}

/// go.mod: known directives, single-line or in parenthesised blocks, and a `module` line.
fn go_mod(text: &str) -> Result<(), ParseFailure> {
    const DIRECTIVES: &[&str] = &[
        "module",
        "go",
        "toolchain",
        "godebug",
        "require",
        "replace",
        "exclude",
        "retract",
        "tool",
        "ignore",
    ];
    let mut block: Option<&str> = None;
    let mut saw_module = false;
    for (i, raw) in text.lines().enumerate() {
        let n = Some(i as u64 + 1);
        let line = raw.split("//").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(b) = block {
            if line == ")" {
                block = None;
            } else {
                go_entry(b, line).map_err(|m| fail(n, m))?;
            }
            continue;
        }
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        if !DIRECTIVES.contains(&word) {
            return Err(fail(n, format!("unknown directive {word:?}")));
        }
        if word == "module" {
            if rest.is_empty() {
                return Err(fail(n, "module directive without a module path"));
            }
            saw_module = true;
        } else if rest == "(" {
            block = Some(word);
        } else if rest.is_empty() {
            return Err(fail(n, format!("{word} directive without arguments")));
        } else {
            go_entry(word, rest).map_err(|m| fail(n, m))?;
        }
    }
    if block.is_some() {
        return Err(fail(None, "a '(' block is not closed by ')'"));
    }
    if !saw_module {
        return Err(fail(Some(1), "no module directive"));
    }
    Ok(())
}

fn go_entry(directive: &str, args: &str) -> Result<(), String> {
    let fields: Vec<&str> = args.split_whitespace().collect();
    let ok = match directive {
        "require" | "exclude" => fields.len() == 2 && fields[1].starts_with('v'),
        "replace" => fields.contains(&"=>"),
        _ => !fields.is_empty(),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("malformed {directive} entry {args:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name() {
        assert_eq!(DepFileFormat::of(b"a/pom.xml"), DepFileFormat::Xml);
        assert_eq!(DepFileFormat::of(b"a/App.CSPROJ"), DepFileFormat::Xml);
        assert_eq!(DepFileFormat::of(b"web/package.json"), DepFileFormat::Json);
        assert_eq!(
            DepFileFormat::of(b"requirements-dev.txt"),
            DepFileFormat::Requirements
        );
        assert_eq!(DepFileFormat::of(b"svc/go.mod"), DepFileFormat::GoMod);
        assert_eq!(DepFileFormat::of(b"Cargo.toml"), DepFileFormat::Toml);
        assert_eq!(DepFileFormat::of(b"build.gradle"), DepFileFormat::Other);
    }

    #[test]
    fn requirements_lines() {
        let good = "# deps\nrequests==2.31.0\nDjango>=4.2,<5 ; python_version >= \"3.10\"\nuvicorn[standard] ~= 0.29\n-r base.txt\n--index-url https://mirror/simple\n./local-pkg\nflask \\\n  ==3.0.0\npkg @ https://example.invalid/pkg.whl\n";
        assert_eq!(requirements(good), Ok(()));
        let bad = requirements("requests==2.31.0\nnumpy = 1.26\n").unwrap_err();
        assert_eq!(bad.line, Some(2));
        assert!(requirements("[broken\n").is_err());
    }

    #[test]
    fn requirements_with_hashes_and_options() {
        // As `pip-compile --generate-hashes` writes it.
        let hashed = "#\n# This file is autogenerated by pip-compile with Python 3.11\n#\ncertifi==2024.2.2 \\\n    --hash=sha256:0569859f95fc761b18b45ef421b1290a0f65f147e92a1e5eb3e635f9a5e4e66f \\\n    --hash=sha256:dc383c07b76109f368f6106eee2b593b04a011ea4d55f652c6ca24a754d1cdd1\n    # via requests\nrequests==2.31.0 ; python_version >= \"3.8\" \\\n    --hash=sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f\n    # via -r requirements.in\nuvicorn[standard]==0.29.0 --hash sha512:abc\nlxml==5.2.1 -C with-xslt=true --config-settings=static=1 --global-option=--no-cython\n";
        assert_eq!(requirements(hashed), Ok(()));
        let bad = requirements("a==1 \\\n  --hash=md5:abc\n").unwrap_err();
        assert_eq!(bad.line, Some(1));
        assert!(bad.message.contains("sha256"), "{}", bad.message);
        assert!(requirements("a==1 --hash\n").is_err());
        assert!(requirements("a==1 --frobnicate=2\n").is_err());
        assert!(requirements("a==1 --hash=sha256:\n").is_err());
    }

    #[test]
    fn go_mod_syntax() {
        let good = "module example.com/his\n\ngo 1.21\n\nrequire (\n\tgithub.com/a/b v1.2.3 // indirect\n)\nrequire c.d/e v0.1.0\nreplace x => ../x\n";
        assert_eq!(go_mod(good), Ok(()));
        assert_eq!(
            go_mod("module m\nrequire (\n  a/b\n)\n").unwrap_err().line,
            Some(3)
        );
        assert_eq!(
            go_mod("go 1.21\n").unwrap_err().message,
            "no module directive"
        );
        assert_eq!(
            go_mod("module m\nfrobnicate x\n").unwrap_err().line,
            Some(2)
        );
    }

    #[test]
    fn xml_json_toml_lines() {
        assert_eq!(
            parse(DepFileFormat::Xml, b"<project>\n<a>\n</b>\n</project>")
                .unwrap_err()
                .line,
            Some(3)
        );
        assert_eq!(
            parse(DepFileFormat::Json, b"{\n\"a\": 1,\n}\n")
                .unwrap_err()
                .line,
            Some(3)
        );
        assert_eq!(
            parse(DepFileFormat::Toml, b"[package]\nname = \n")
                .unwrap_err()
                .line,
            Some(2)
        );
        assert!(parse(DepFileFormat::Json, b"[1]").is_err());
        assert!(parse(DepFileFormat::Other, b"  \n").is_err());
        assert_eq!(
            parse(
                DepFileFormat::Xml,
                "<?xml version=\"1.0\" encoding=\"GBK\"?><project><name>医院</name></project>"
                    .as_bytes()
            ),
            Ok(())
        );
    }
}

/// One dependency a dependency file declares.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Declared {
    /// Its name as its ecosystem writes it: Maven "groupId:artifactId", NuGet package id, npm
    /// name, PyPI name, Go module path.
    pub name: String,
    /// The version declared, as written (`${…}` properties resolved where the same file
    /// defines them); `None` when none is.
    pub version: Option<String>,
    /// "maven", "nuget", "npm", "pypi", "go".
    pub ecosystem: String,
    /// The file declaring it, readable form.
    pub file: String,
}

/// The dependencies read from one file at most (the first ones, in file order).
pub const MAX_DECLARED_PER_FILE: usize = 5_000;

/// The dependencies the dependency files `files` ((readable path, bytes) pairs) declare, one
/// per name (the first file's), sorted by name; the delivery's own modules (a Maven module's
/// `groupId:artifactId`, a workspace package's name) left out.
///
/// Which files are read, and how, is [`extract`]'s; a file larger than
/// [`super::DEPENDENCY_MAX_BYTES`], of another name, or that does not parse declares nothing.
/// Names are compared as their ecosystem compares them: NuGet ids and Maven coordinates
/// without regard to case, PyPI names in their PEP 503 form; when the first declaration of a
/// name gives no version (a central `Directory.Packages.props` pins it), a later one's is used.
pub fn declared(files: &[(String, Vec<u8>)]) -> Vec<Declared> {
    use std::collections::{HashMap, HashSet};
    let mut own: HashSet<(String, String)> = HashSet::new();
    let mut all: Vec<Declared> = Vec::new();
    for (path, bytes) in files {
        if bytes.len() as u64 > super::DEPENDENCY_MAX_BYTES {
            continue;
        }
        let Some(kind) = extract::Kind::of(path) else {
            continue;
        };
        let (text, _) = text::decode(bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let found = extract::read(kind, text, path);
        own.extend(
            found
                .own
                .into_iter()
                .map(|(eco, name)| (eco.clone(), name_key(&eco, &name))),
        );
        // A real dependency file declares tens, a monorepo's a few thousand; a file of a
        // million is padding that would only slow the matching.
        all.extend(found.deps.into_iter().take(MAX_DECLARED_PER_FILE));
    }
    let mut by_key: HashMap<(String, String), usize> = HashMap::new();
    let mut out: Vec<Declared> = Vec::new();
    for d in all {
        let key = (d.ecosystem.clone(), name_key(&d.ecosystem, &d.name));
        if own.contains(&key) {
            continue;
        }
        match by_key.get(&key) {
            Some(&i) => {
                if out[i].version.is_none() {
                    out[i].version = d.version;
                }
            }
            None => {
                by_key.insert(key, out.len());
                out.push(d);
            }
        }
    }
    out.sort_by(|a, b| {
        a.name
            .cmp(&b.name)
            .then_with(|| a.ecosystem.cmp(&b.ecosystem))
    });
    out
}

/// The form of a dependency name its ecosystem compares: PEP 503 for PyPI, lower case for
/// NuGet and Maven, as written for npm and Go (both case-sensitive).
pub fn name_key(ecosystem: &str, name: &str) -> String {
    match ecosystem {
        "pypi" => extract::pep503(name),
        "nuget" | "maven" => name.to_lowercase(),
        _ => name.to_owned(),
    }
}

#[cfg(test)]
mod declared_tests {
    use super::*;

    fn file(path: &str, text: &str) -> (String, Vec<u8>) {
        (path.to_owned(), text.as_bytes().to_vec())
    }

    fn find<'a>(all: &'a [Declared], name: &str) -> Option<&'a Declared> {
        all.iter().find(|d| d.name == name)
    }

    const PARENT_POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>2.7.18</version>
  </parent>
  <groupId>com.hospital.his</groupId>
  <artifactId>his-parent</artifactId>
  <version>3.2.0-SNAPSHOT</version>
  <packaging>pom</packaging>
  <properties>
    <java.version>1.8</java.version>
    <mybatis.version>3.5.13</mybatis.version>
    <druid.version>${druid.base}.20</druid.version>
    <druid.base>1.2</druid.base>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>org.mybatis</groupId>
        <artifactId>mybatis</artifactId>
        <version>${mybatis.version}</version>
      </dependency>
      <dependency>
        <groupId>${project.groupId}</groupId>
        <artifactId>his-common</artifactId>
        <version>${project.version}</version>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>com.alibaba</groupId>
      <artifactId>druid</artifactId>
      <version>${druid.version}</version>
    </dependency>
    <dependency>
      <groupId>org.projectlombok</groupId>
      <artifactId>lombok</artifactId>
      <version>${lombok.version}</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <dependencies>
          <dependency>
            <groupId>org.codehaus.plexus</groupId>
            <artifactId>plexus-compiler-javac</artifactId>
            <version>2.13.0</version>
          </dependency>
        </dependencies>
      </plugin>
    </plugins>
  </build>
</project>"#;

    const MODULE_POM: &str = r"<project>
  <parent>
    <groupId>com.hospital.his</groupId>
    <artifactId>his-parent</artifactId>
    <version>3.2.0-SNAPSHOT</version>
  </parent>
  <artifactId>his-common</artifactId>
  <dependencies>
    <dependency>
      <groupId>org.mybatis</groupId>
      <artifactId>mybatis</artifactId>
    </dependency>
    <dependency>
      <groupId>com.hospital.his</groupId>
      <artifactId>his-parent</artifactId>
      <version>${project.version}</version>
    </dependency>
  </dependencies>
</project>";

    #[test]
    fn maven_properties_own_modules_and_plugins() {
        let all = declared(&[
            file("pom.xml", PARENT_POM),
            file("his-common/pom.xml", MODULE_POM),
        ]);
        let v = |n: &str| find(&all, n).map(|d| d.version.clone());
        assert_eq!(v("org.mybatis:mybatis"), Some(Some("3.5.13".into())));
        assert_eq!(v("com.alibaba:druid"), Some(Some("1.2.20".into())));
        // Undefined in this pom: kept as written.
        assert_eq!(
            v("org.projectlombok:lombok"),
            Some(Some("${lombok.version}".into()))
        );
        // The delivery's own modules (the module inherits its groupId from <parent>).
        assert_eq!(v("com.hospital.his:his-common"), None);
        assert_eq!(v("com.hospital.his:his-parent"), None);
        // A plugin's dependency and the parent pom are not the project's dependencies.
        assert_eq!(v("org.codehaus.plexus:plexus-compiler-javac"), None);
        assert_eq!(
            v("org.springframework.boot:spring-boot-starter-parent"),
            None
        );
        assert!(all.iter().all(|d| d.ecosystem == "maven"));
        assert_eq!(find(&all, "com.alibaba:druid").unwrap().file, "pom.xml");
        let names: Vec<&str> = all.iter().map(|d| d.name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        assert_eq!(names.len(), 3);
    }

    #[test]
    fn nuget_files() {
        let csproj = r#"<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup><TargetFramework>net6.0</TargetFramework></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Newtonsoft.Json" Version="13.0.3" />
    <PackageReference Include="Dapper"><Version>2.1.24</Version></PackageReference>
    <PackageReference Include="Serilog" />
    <PackageReference Include="His.Common" Version="1.0.0" />
    <ProjectReference Include="..\His.Common\His.Common.csproj" />
  </ItemGroup>
</Project>"#;
        let props = r#"<Project><ItemGroup>
    <PackageVersion Include="Serilog" Version="3.1.1" />
</ItemGroup></Project>"#;
        let config = "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<packages>\n  <package id=\"EntityFramework\" version=\"6.4.4\" targetFramework=\"net48\" />\n</packages>";
        let all = declared(&[
            file("src/Web/Web.csproj", csproj),
            file(
                "src/His.Common/His.Common.csproj",
                "<Project Sdk=\"Microsoft.NET.Sdk\"/>",
            ),
            file("Directory.Packages.props", props),
            file("legacy/packages.config", config),
        ]);
        let v = |n: &str| find(&all, n).map(|d| d.version.clone());
        assert_eq!(v("Newtonsoft.Json"), Some(Some("13.0.3".into())));
        assert_eq!(v("Dapper"), Some(Some("2.1.24".into())));
        assert_eq!(v("Serilog"), Some(Some("3.1.1".into())));
        assert_eq!(v("EntityFramework"), Some(Some("6.4.4".into())));
        assert_eq!(v("His.Common"), None);
        assert_eq!(find(&all, "Serilog").unwrap().file, "src/Web/Web.csproj");
        assert!(all.iter().all(|d| d.ecosystem == "nuget"));
    }

    #[test]
    fn npm_workspaces() {
        let root = r#"{"name": "his-web", "private": true, "workspaces": ["packages/*"],
  "dependencies": {"vue": "^3.3.4", "@his/ui": "workspace:*", "axios": "1.6.2"},
  "devDependencies": {"@vue/cli-service": "~5.0.8"},
  "peerDependencies": {"echarts": ">=5"},
  "optionalDependencies": {"fsevents": "2.3.3"}}"#;
        let ui = r#"{"name": "@his/ui", "version": "1.0.0", "dependencies": {"vue": "^3.2.0", "element-plus": "2.4.3"}}"#;
        let all = declared(&[
            file("package.json", root),
            file("packages/ui/package.json", ui),
            file("broken/package.json", "{\"dependencies\": "),
        ]);
        let v = |n: &str| find(&all, n).map(|d| d.version.clone());
        assert_eq!(v("vue"), Some(Some("^3.3.4".into())));
        assert_eq!(v("@vue/cli-service"), Some(Some("~5.0.8".into())));
        assert_eq!(v("echarts"), Some(Some(">=5".into())));
        assert_eq!(v("fsevents"), Some(Some("2.3.3".into())));
        assert_eq!(v("element-plus"), Some(Some("2.4.3".into())));
        assert_eq!(v("@his/ui"), None);
        assert_eq!(all.len(), 6);
    }

    #[test]
    fn python_requirements() {
        let req = "# production\n-r base.txt\nDjango==4.2.7\npython_dateutil>=2.8 ; python_version >= \"3.8\"\ncelery[redis]==5.3.4 \\\n    --hash=sha256:abc\n-e git+https://example.invalid/x.git#egg=x\n\n";
        let dev = "python-dateutil==2.8.2\npytest\n";
        let all = declared(&[
            file("requirements.txt", req),
            file("requirements-dev.txt", dev),
            file("notes.txt", "numpy==1.0\n"),
        ]);
        let v = |n: &str| find(&all, n).map(|d| d.version.clone());
        assert_eq!(v("Django"), Some(Some("4.2.7".into())));
        // The same project under its PEP 503 name: the first file's entry.
        assert_eq!(v("python_dateutil"), Some(Some(">=2.8".into())));
        assert_eq!(v("python-dateutil"), None);
        assert_eq!(v("celery"), Some(Some("5.3.4".into())));
        assert_eq!(v("pytest"), Some(None));
        assert_eq!(v("numpy"), None);
        assert_eq!(all.len(), 4);
    }

    #[test]
    fn go_modules() {
        let root = "module example.com/his\n\ngo 1.21\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.9.1\n\tgolang.org/x/sys v0.15.0 // indirect\n\texample.com/his/lib v0.0.0\n)\n\nrequire github.com/redis/go-redis/v9 v9.3.0\n\nreplace example.com/his/lib => ./lib\n";
        let lib = "module example.com/his/lib\n\ngo 1.21\n";
        let all = declared(&[file("go.mod", root), file("lib/go.mod", lib)]);
        let v = |n: &str| find(&all, n).map(|d| d.version.clone());
        assert_eq!(v("github.com/gin-gonic/gin"), Some(Some("v1.9.1".into())));
        assert_eq!(v("golang.org/x/sys"), Some(Some("v0.15.0".into())));
        assert_eq!(
            v("github.com/redis/go-redis/v9"),
            Some(Some("v9.3.0".into()))
        );
        assert_eq!(v("example.com/his/lib"), None);
        assert_eq!(all.len(), 3);
    }

    #[test]
    fn bad_and_oversized_input() {
        let big = vec![b' '; usize::try_from(crate::checks::DEPENDENCY_MAX_BYTES).unwrap() + 1];
        let garbage: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13).to_le_bytes()[0])
            .collect();
        let mut files = vec![("pom.xml".to_owned(), big)];
        for name in [
            "pom.xml",
            "a.csproj",
            "package.json",
            "requirements.txt",
            "go.mod",
            "packages.config",
        ] {
            files.push((name.to_owned(), garbage.clone()));
            files.push((
                name.to_owned(),
                b"<project><dependencies><dependency><groupId>".to_vec(),
            ));
        }
        // Nothing parses into a dependency; nothing panics.
        let all = declared(&files);
        assert!(
            all.iter()
                .all(|d| d.ecosystem == "pypi" || d.ecosystem == "go"),
            "{all:?}"
        );
    }
}
