//! Parsers for dependency manifests. Each answers one question: would a build tool read this
//! file? A failure carries the parser's message and the line.

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

/// The dependencies the dependency files `files` ((readable path, bytes) pairs) declare, one
/// per name (the first file's), sorted by name; the delivery's own modules (a Maven module's
/// `groupId:artifactId`, a workspace package's name) left out.
pub fn declared(files: &[(String, Vec<u8>)]) -> Vec<Declared> {
    let _ = files;
    Vec::new()
}
