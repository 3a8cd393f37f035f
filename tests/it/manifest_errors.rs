//! Every manifest mistake exits 2 and names FILE:LINE:COL, and nothing is checked.

use crate::common::*;

/// A small valid manifest the tests break one way at a time.
const GOOD: &str = GOOD_MANIFEST;

/// Check the sample with `text` as the manifest; return stderr after asserting exit 2.
fn bad(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path(), text);
    let run = escrow([
        "check".as_ref(),
        sample().as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
    ]);
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(
        run.stdout.is_empty(),
        "no report for a bad manifest: {}",
        run.stdout
    );
    run.stderr.replace(&m.display().to_string(), "M")
}

#[test]
fn the_good_one_is_good() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path(), GOOD);
    let run = escrow([
        "check".as_ref(),
        sample().as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
    ]);
    assert_eq!(run.code, 1, "core/ is not in the sample: {}", run.stderr);
}

#[test]
fn toml_syntax_error() {
    let err = bad(&GOOD.replace("id = \"HT-1\"", "id = \"HT-1"));
    assert!(err.contains("M:4:"), "{err}");
}

#[test]
fn unknown_key() {
    let err = bad(&GOOD.replace(
        "paths = [\"core/**\"]",
        "paths = [\"core/**\"]\nmin-bytes = 5",
    ));
    assert!(
        err.contains("M:10:1: min-bytes is not a key of [[module]]"),
        "{err}"
    );
}

#[test]
fn unknown_top_level_table() {
    let err = bad(&format!("{GOOD}\n[[modules]]\nid = \"x\"\n"));
    assert!(err.contains("M:11:") && err.contains("modules"), "{err}");
}

#[test]
fn wrong_type() {
    let err = bad(&GOOD.replace("paths = [\"core/**\"]", "paths = \"core/**\""));
    assert!(err.contains("M:9:9:"), "{err}");
    let err = bad(&GOOD.replace(
        "paths = [\"core/**\"]",
        "paths = [\"core/**\"]\nmin-source-files = -1",
    ));
    assert!(err.contains("M:10:20:"), "{err}");
}

#[test]
fn missing_required_key() {
    let err = bad(&GOOD.replace("name = \"核心\"\n", ""));
    assert!(
        err.contains(
            "M:6:1: [[module]] needs name: add a line name = \"…\" under this [[module]] line"
        ),
        "{err}"
    );
}

#[test]
fn every_semantic_problem_is_listed() {
    let text = format!(
        "{GOOD}\n[[document]]\nid = \"core\"\nname = \"文档\"\npaths = [\"docs/[abc\", \"../outside/*\"]\n\n[severity]\nmodule-gone = \"warn\"\ndocument-missing = \"fatal\"\n"
    );
    let err = bad(&text);
    let expected = [
        "M:12:6: duplicate id \"core\": already used on line 7",
        "M:14:10: glob \"docs/[abc\" does not compile",
        "M:14:23: glob \"../outside/*\" must be relative",
        "M:17:1: unknown finding code \"module-gone\"",
        "M:18:20: severity \"fatal\"",
    ];
    for e in expected {
        assert!(err.contains(e), "missing {e:?} in:\n{err}");
    }
    assert!(err.contains("5 problems in the manifest"), "{err}");
}

#[test]
fn schema_version_and_empty_manifest() {
    let err = bad(&GOOD.replace("schema-version = 1", "schema-version = 2"));
    assert!(
        err.contains("M:1:18: schema-version 2 is not supported"),
        "{err}"
    );
    let err = bad("schema-version = 1\n");
    assert!(
        err.contains("M:1:1: the manifest lists no requirements"),
        "{err}"
    );
    let err = bad(&GOOD.replace("schema-version = 1\n", ""));
    assert!(
        err.contains("M:1:1: the top level needs schema-version: add a line schema-version = 1 at the top of the manifest"),
        "{err}"
    );
}

#[test]
fn unreadable_and_non_utf8_manifests() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.toml");
    let run = escrow([
        "check".as_ref(),
        sample().as_os_str(),
        "-m".as_ref(),
        missing.as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("none.toml: cannot read the manifest"),
        "{}",
        run.stderr
    );
    let gbk = dir.path().join("gbk.toml");
    let (bytes, _, _) = encoding_rs::GB18030.encode(GOOD);
    std::fs::write(&gbk, &bytes).unwrap();
    let run = escrow([
        "check".as_ref(),
        sample().as_os_str(),
        "-m".as_ref(),
        gbk.as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("gbk.toml: the manifest is not UTF-8"),
        "{}",
        run.stderr
    );
}

#[test]
fn structural_mistakes_in_several_entries_are_all_listed() {
    // Line 1 is a top-level key; later lines belong to the tables above them.
    let text = format!(
        "colour = \"red\"\n{GOOD}\n[[document]]\nid = \"d\"\nname = \"文档\"\npaths = [\"docs/*\"]\nmin-byte = 5\n\n[[database]]\nid = \"db\"\nname = \"库\"\npaths = [\"*.sql\"]\nmin-tables = \"many\"\n"
    );
    let err = bad(&text);
    for e in [
        "M:1:1: colour is not a key the manifest knows",
        "M:16:1: min-byte is not a key of [[document]]: did you mean min-bytes? ([[document]] takes id, name, paths, required-files, min-bytes, min-words, covers, min-coverage)",
        "M:22:14: min-tables: \"many\" is not a whole number: write a whole number, e.g. 20",
    ] {
        assert!(err.contains(e), "missing {e:?} in:\n{err}");
    }
    assert!(err.contains("3 problems in the manifest"), "{err}");
    let err = bad("schema-version = 1\nmodule = \"core\"\n");
    assert!(
        err.contains("M:2:10: module must be a table: write [[module]] on a line of its own"),
        "{err}"
    );
}

#[test]
fn several_syntax_errors_are_listed() {
    let err = bad(&GOOD
        .replace("id = \"HT-1\"", "id = \"HT-1")
        .replace("name = \"核心\"", "name = 核心"));
    assert!(err.contains("M:4:11: invalid basic string"), "{err}");
    assert!(err.contains("M:8:8: string values must be quoted"), "{err}");
    assert!(err.contains("2 problems in the manifest"), "{err}");
}

#[test]
fn document_content_keys_are_checked() {
    let text = format!(
        "{GOOD}\n[[document]]\nid = \"db-design\"\nname = \"数据库设计\"\npaths = [\"docs/*\"]\ncovers = [\"tabels\", \"endpoints\", \"endpoints\"]\nmin-coverage = 150\n"
    );
    let err = bad(&text);
    let first = GOOD.lines().count() + 6;
    for e in [
        format!(
            "M:{first}:11: covers: \"tabels\" is not something a document can cover: write one or more of \"tables\", \"dependencies\", \"endpoints\", \"build-tools\", \"changes\""
        ),
        format!("M:{first}:34: covers: \"endpoints\" is listed twice"),
        format!(
            "M:{}:16: min-coverage: 150 is not a percentage: write a whole number from 0 to 100, e.g. 80",
            first + 1
        ),
    ] {
        assert!(err.contains(&e), "missing {e:?} in:\n{err}");
    }
    // The keys belong to [[document]]: written in a module, the message says where they go.
    let text = format!(
        "{GOOD}\n[[module]]\nid = \"m2\"\nname = \"M2\"\npaths = [\"x/**\"]\ncovers = [\"tables\"]\n"
    );
    let err = bad(&text);
    assert!(err.contains("covers belongs in [[document]]"), "{err}");
}
