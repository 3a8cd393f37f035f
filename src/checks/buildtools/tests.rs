use super::*;

fn file(path: &str, text: &str) -> (String, Vec<u8>) {
    (path.to_owned(), text.as_bytes().to_vec())
}

fn tool<'a>(all: &'a [BuildTool], name: &str) -> Option<&'a BuildTool> {
    all.iter().find(|t| t.name == name)
}

/// The version of tool `name`, which must be needed.
fn version(all: &[BuildTool], name: &str) -> Option<String> {
    tool(all, name)
        .unwrap_or_else(|| panic!("{name} not needed: {all:?}"))
        .version
        .clone()
}

#[test]
fn build_file_names() {
    for yes in [
        "pom.xml",
        "a/.mvn/wrapper/maven-wrapper.properties",
        "build.gradle.kts",
        "His.sln",
        "src/Web/Web.csproj",
        "global.json",
        "web/package.json",
        ".nvmrc",
        "go.mod",
        "requirements-dev.txt",
        "CMakeLists.txt",
        "Makefile",
        "setup.py",
    ] {
        assert!(is_build_file(yes.as_bytes()), "{yes}");
    }
    for no in ["src/Main.java", "README.md", "docs/pom.xml.bak", "make.txt"] {
        assert!(!is_build_file(no.as_bytes()), "{no}");
    }
}

#[test]
fn maven_and_jdk() {
    let pom = r"<project><properties><java.version>1.8</java.version>
  <maven.compiler.source>${java.version}</maven.compiler.source></properties></project>";
    let module = r"<project><build><plugins><plugin>
  <groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId>
  <configuration><release>11</release></configuration></plugin></plugins></build></project>";
    let wrapper = "wrapperVersion=3.3.2\ndistributionUrl=https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/3.9.6/apache-maven-3.9.6-bin.zip\n";
    let all = needed(&[
        file("pom.xml", pom),
        file("his-web/pom.xml", module),
        file(".mvn/wrapper/maven-wrapper.properties", wrapper),
    ]);
    assert_eq!(version(&all, "Maven"), Some("3.9.6".into()));
    assert_eq!(
        tool(&all, "Maven").unwrap().evidence,
        ".mvn/wrapper/maven-wrapper.properties"
    );
    // 1.8 (resolved through ${java.version}) and 11: the highest is kept.
    assert_eq!(version(&all, "JDK"), Some("11".into()));
    assert_eq!(tool(&all, "JDK").unwrap().evidence, "his-web/pom.xml");
    assert!(
        tool(&all, "Maven")
            .unwrap()
            .aliases
            .contains(&"mvn".to_owned())
    );
    assert!(
        tool(&all, "JDK")
            .unwrap()
            .aliases
            .contains(&"java".to_owned())
    );
    let only = needed(&[file("pom.xml", pom)]);
    assert_eq!(version(&only, "JDK"), Some("1.8".into()));
    assert_eq!(version(&only, "Maven"), None);
}

#[test]
fn gradle_and_jdk() {
    let groovy = "plugins { id 'java' }\nsourceCompatibility = JavaVersion.VERSION_1_8\n";
    let kts = "java { toolchain { languageVersion = JavaLanguageVersion.of(17) } }\n";
    let wrapper = "distributionBase=GRADLE_USER_HOME\ndistributionUrl=https\\://services.gradle.org/distributions/gradle-8.5-bin.zip\n";
    let all = needed(&[
        file("build.gradle", groovy),
        file("gradle/wrapper/gradle-wrapper.properties", wrapper),
    ]);
    assert_eq!(version(&all, "Gradle"), Some("8.5".into()));
    assert_eq!(version(&all, "JDK"), Some("1.8".into()));
    let all = needed(&[file("app/build.gradle.kts", kts)]);
    assert_eq!(version(&all, "JDK"), Some("17".into()));
    assert_eq!(version(&all, "Gradle"), None);
}

#[test]
fn dotnet() {
    let sdk = r#"<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup>
  <TargetFrameworks>net6.0;net8.0-windows;netstandard2.0</TargetFrameworks></PropertyGroup></Project>"#;
    let legacy = r#"<?xml version="1.0" encoding="utf-8"?>
<Project ToolsVersion="15.0" xmlns="http://schemas.microsoft.com/developer/msbuild/2003">
  <PropertyGroup><TargetFrameworkVersion>v4.7.2</TargetFrameworkVersion></PropertyGroup></Project>"#;
    let all = needed(&[
        file(
            "His.sln",
            "Microsoft Visual Studio Solution File, Format Version 12.00\n",
        ),
        file("Web/Web.csproj", sdk),
    ]);
    assert_eq!(version(&all, ".NET SDK"), Some("8.0".into()));
    assert!(tool(&all, ".NET Framework").is_none());
    let all = needed(&[
        file("Old/Old.csproj", legacy),
        file(
            "New/New.csproj",
            "<Project Sdk=\"x\"><PropertyGroup><TargetFramework>net48</TargetFramework></PropertyGroup></Project>",
        ),
    ]);
    assert_eq!(version(&all, ".NET Framework"), Some("4.8".into()));
    assert_eq!(version(&all, ".NET SDK"), None);
    let aliases = &tool(&all, ".NET SDK").unwrap().aliases;
    assert!(
        aliases.contains(&"msbuild".to_owned()) && aliases.contains(&"visual studio".to_owned())
    );
    let all = needed(&[file(
        "global.json",
        r#"{"sdk": {"version": "8.0.100", "rollForward": "latestFeature"}}"#,
    )]);
    assert_eq!(version(&all, ".NET SDK"), Some("8.0.100".into()));
}

#[test]
fn node_and_package_managers() {
    let web = r#"{"name": "his-web", "engines": {"node": ">=16.14 <21", "npm": ">=8"}}"#;
    let all = needed(&[file("web/package.json", web)]);
    assert_eq!(version(&all, "Node.js"), Some("16.14".into()));
    assert_eq!(version(&all, "npm"), Some("8".into()));
    let all = needed(&[
        file("web/package.json", web),
        file("web/.nvmrc", "v18.17.0\n"),
    ]);
    assert_eq!(version(&all, "Node.js"), Some("18.17.0".into()));
    assert_eq!(tool(&all, "Node.js").unwrap().evidence, "web/.nvmrc");
    // A lock file in the package's folder or above chooses the package manager.
    let all = needed(&[
        file("yarn.lock", "# yarn lockfile v1\n"),
        file("apps/a/package.json", "{}"),
    ]);
    assert!(tool(&all, "Yarn").is_some());
    assert!(tool(&all, "npm").is_none());
    let all = needed(&[file(
        "web/package.json",
        r#"{"packageManager": "pnpm@8.1.0"}"#,
    )]);
    assert_eq!(version(&all, "pnpm"), Some("8.1.0".into()));
    assert!(tool(&all, "npm").is_none());
    let all = needed(&[file(".nvmrc", "lts/hydrogen\n")]);
    assert_eq!(version(&all, "Node.js"), None);
}

#[test]
fn go_python_cmake_make() {
    let all = needed(&[file("go.mod", "module example.com/his\n\ngo 1.21\n")]);
    assert_eq!(version(&all, "Go"), Some("1.21".into()));
    assert!(
        tool(&all, "Go")
            .unwrap()
            .aliases
            .contains(&"golang".to_owned())
    );
    let all = needed(&[file("go.mod", "module m\ngo 1.21\ntoolchain go1.22.3\n")]);
    assert_eq!(version(&all, "Go"), Some("1.22.3".into()));
    let py = "[project]\nname = \"his\"\nrequires-python = \">=3.9\"\n";
    let all = needed(&[
        file("pyproject.toml", py),
        file("requirements.txt", "flask\n"),
    ]);
    assert_eq!(version(&all, "Python"), Some("3.9".into()));
    let poetry = "[tool.poetry.dependencies]\npython = \"^3.10\"\n";
    assert_eq!(
        version(&needed(&[file("pyproject.toml", poetry)]), "Python"),
        Some("3.10".into())
    );
    let setup = "from setuptools import setup\nsetup(name='his', python_requires='>=3.8')\n";
    assert_eq!(
        version(&needed(&[file("setup.py", setup)]), "Python"),
        Some("3.8".into())
    );
    let cmake = "cmake_minimum_required(VERSION 3.16)\nproject(his C)\n";
    let all = needed(&[
        file("CMakeLists.txt", cmake),
        file("Makefile", "all:\n\tcc x.c\n"),
    ]);
    assert_eq!(version(&all, "CMake"), Some("3.16".into()));
    assert_eq!(version(&all, "Make"), None);
    let names: Vec<&str> = all.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["CMake", "Make"]);
}

#[test]
fn versions_compare_numerically() {
    use std::cmp::Ordering;
    assert_eq!(compare_versions("3.10", "3.9.6"), Ordering::Greater);
    assert_eq!(compare_versions("17", "1.8"), Ordering::Greater);
    assert_eq!(compare_versions("6.0", "6"), Ordering::Equal);
    assert_eq!(version_in("^3.9.x"), Some("3.9".into()));
    assert_eq!(version_in("lts/*"), None);
}

#[test]
fn bad_input_never_panics() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11).to_le_bytes()[0])
        .collect();
    let names = [
        "pom.xml",
        "a.csproj",
        "package.json",
        "global.json",
        "go.mod",
        "pyproject.toml",
        "build.gradle",
        "maven-wrapper.properties",
        "gradle-wrapper.properties",
        "setup.py",
        ".nvmrc",
        "CMakeLists.txt",
    ];
    let mut files: Vec<(String, Vec<u8>)> = names
        .iter()
        .map(|n| ((*n).to_owned(), garbage.clone()))
        .collect();
    files.push(("global.json".into(), b"{\"sdk\": 5}".to_vec()));
    files.push((
        "gradle-wrapper.properties".into(),
        b"distributionUrl=".to_vec(),
    ));
    let all = needed(&files);
    // Each file still shows its tool; nothing pins a version out of garbage.
    assert!(tool(&all, "Maven").is_some() && tool(&all, "Go").is_some());
    assert_eq!(version(&all, "Maven"), None);
}
