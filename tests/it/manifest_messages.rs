//! Manifest mistakes said in words a hospital IT officer understands, at FILE:LINE:COL, with a
//! fix that is itself accepted: each test applies the suggested text and loads the manifest.

use crate::common::*;

/// A small valid manifest the tests break one way at a time.
const GOOD: &str = GOOD_MANIFEST;

/// Check the sample with `text` as the manifest: `Err(stderr)` with the manifest's path shown
/// as `M` when the manifest is refused (exit 2), `Ok(())` when it loads.
fn load(text: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path(), text);
    let run = escrow([
        "check".as_ref(),
        sample().as_os_str(),
        "-m".as_ref(),
        m.as_os_str(),
    ]);
    if run.code == 2 {
        assert!(run.stdout.is_empty(), "no report: {}", run.stdout);
        Err(run.stderr.replace(&m.display().to_string(), "M"))
    } else {
        Ok(())
    }
}

/// The message at `M:LINE:COL: `, which must be there.
fn message_at(text: &str, at: &str) -> String {
    let err = load(text).expect_err("the manifest is refused");
    let prefix = format!("M:{at}: ");
    err.lines()
        .find_map(|l| l.strip_prefix("error: ").unwrap_or(l).strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no problem at {at} in:\n{err}"))
        .to_owned()
}

/// `text` with line `n` (from 1) replaced by `with`.
fn replace_line(text: &str, n: usize, with: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    lines[n - 1] = with;
    lines.join("\n") + "\n"
}

/// The fix a message ends with (`…: write paths = ["emr/**"]`).
fn written_fix(message: &str) -> &str {
    message.rsplit(": write ").next().unwrap()
}

#[test]
fn sizes_take_units_and_a_bad_one_says_how_to_write_one() {
    let doc = |v: &str| {
        format!(
            "{GOOD}\n[[document]]\nid = \"guide\"\nname = \"编译环境说明\"\npaths = [\"docs/*编译*\"]\nmin-bytes = {v}\n"
        )
    };
    for ok in [
        "10240",
        "\"10KB\"",
        "\"10KiB\"",
        "\"2MB\"",
        "\"1.5MiB\"",
        "\"10 kib\"",
    ] {
        assert_eq!(load(&doc(ok)), Ok(()), "{ok}");
    }
    // The units mean what they mean for [build] max-memory: 1024 bytes a K.
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path(), &doc("\"10KB\""));
    let report = check_json(&sample(), &m).json();
    let small = with_code(&report, "document-too-small");
    assert_eq!(small.len(), 1, "{:?}", codes(&report));
    assert!(
        small[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("below min-bytes = 10240"),
        "{}",
        small[0]["message"]
    );

    let message = message_at(&doc("\"ten\""), "15:13");
    assert_eq!(
        message,
        "min-bytes: \"ten\" is not a size: write a whole number of bytes, e.g. 10240, or a size with a unit, e.g. \"10KiB\" (K, KB and KiB all mean 1024 bytes)"
    );
    for bad in ["-5", "1.5", "\"1.5\"", "\"10 furlongs\"", "true"] {
        let message = message_at(&doc(bad), "15:13");
        assert!(
            message.starts_with(&format!("min-bytes: {bad} is not a size")),
            "{message}"
        );
    }
    // The example the message gives is accepted.
    assert_eq!(load(&doc("\"10KiB\"")), Ok(()));
    // [build] sizes take a number of bytes too.
    let build = |v: &str| format!("{GOOD}\n[build]\ncommand = \"make\"\nmax-memory = {v}\n");
    assert_eq!(load(&build("17179869184")), Ok(()));
    assert_eq!(
        message_at(&build("\"lots\""), "13:14"),
        "[build] max-memory: \"lots\" is not a size of at least 16MiB: write a size with a unit, e.g. \"512MiB\" or \"4GiB\""
    );
}

#[test]
fn counts_must_be_whole_numbers() {
    let db = |v: &str| {
        format!(
            "{GOOD}\n[[database]]\nid = \"db\"\nname = \"库\"\npaths = [\"db/**\"]\nmin-tables = {v}\n"
        )
    };
    let message = message_at(&db("\"20\""), "15:14");
    assert_eq!(
        message,
        "min-tables: \"20\" is text, not a whole number: write min-tables = 20"
    );
    let fixed = replace_line(&db("\"20\""), 15, written_fix(&message));
    assert_eq!(load(&fixed), Ok(()), "{fixed}");
    for bad in ["-1", "2.5", "\"many\""] {
        assert_eq!(
            message_at(&db(bad), "15:14"),
            format!("min-tables: {bad} is not a whole number: write a whole number, e.g. 20")
        );
    }
    let module = GOOD.replace(
        "paths = [\"core/**\"]",
        "paths = [\"core/**\"]\nmin-source-files = \"ten\"",
    );
    assert_eq!(
        message_at(&module, "10:20"),
        "min-source-files: \"ten\" is not a whole number: write a whole number, e.g. 20"
    );
}

#[test]
fn every_list_key_says_to_write_a_list() {
    // (the key = value line, the table it goes in, the position of the value)
    let cases = [
        ("paths = \"core/**\"", "", "9:9"),
        ("required-files = \"core/pom.xml\"", "", "10:18"),
        ("source-extensions = \"java\"", "", "10:21"),
        ("vendored = \"lib/**\"", "[scan]", "12:12"),
        (
            "outputs = \"dist/*.jar\"",
            "[build]\ncommand = \"make\"",
            "13:11",
        ),
        (
            "toolchain = \"java -version\"",
            "[build]\ncommand = \"make\"",
            "13:13",
        ),
        (
            "paths = \"src/**\"",
            "[[rule]]\nid = \"mine\"\ncode = \"backdoor-suspect\"\ndescription = \"x\"\nregex = \"UNLOCK\"\nkeywords = [\"UNLOCK\"]",
            "17:9",
        ),
        (
            "paths = \"config/**\"",
            "[[allow]]\ncode = \"credential-hardcoded\"\nreason = \"test keys\"",
            "14:9",
        ),
    ];
    for (line, table, at) in cases {
        let text = if table.is_empty() && line.starts_with("paths") {
            GOOD.replace("paths = [\"core/**\"]", line)
        } else if table.is_empty() {
            format!("{GOOD}{line}\n")
        } else {
            format!("{GOOD}\n{table}\n{line}\n")
        };
        let (key, value) = line.split_once(" = ").unwrap();
        let message = message_at(&text, at);
        assert_eq!(
            message,
            format!("{key} must be a list: write {key} = [{value}]"),
            "{text}"
        );
        let n: usize = at.split(':').next().unwrap().parse().unwrap();
        let fixed = replace_line(&text, n, written_fix(&message));
        assert_eq!(load(&fixed), Ok(()), "{fixed}");
    }
}

#[test]
fn unknown_tables_are_named_with_every_table_and_the_nearest() {
    let all = "the manifest's tables are [contract], [[module]], [[document]], [[database]], [[dependencies]], [severity], [scan], [[rule]], [[allow]], [build]; its other top-level keys are schema-version, case-sensitive, source-extensions";
    let body = "id = \"emr\"\nname = \"电子病历\"\npaths = [\"emr/**\"]\n";
    for (written, col, meant) in [
        ("[[modules]]", 3, "[[module]]"),
        ("[documents]", 2, "[[document]]"),
        ("[[doc]]", 3, "[[document]]"),
        ("[[Module]]", 3, "[[module]]"),
    ] {
        let text = format!("{GOOD}\n{written}\n{body}");
        let message = message_at(&text, &format!("11:{col}"));
        assert_eq!(
            message,
            format!(
                "{written} is not a table the manifest knows: did you mean {meant}? ({all}; see manifests/template.toml)"
            )
        );
        let fixed = replace_line(&text, 11, meant);
        assert_eq!(load(&fixed), Ok(()), "{fixed}");
    }
    let message = message_at(&format!("colour = \"red\"\n{GOOD}"), "1:1");
    assert_eq!(
        message,
        format!("colour is not a key the manifest knows ({all}; see manifests/template.toml)")
    );
    let message = message_at(&format!("case_sensitive = true\n{GOOD}"), "1:1");
    assert!(
        message.contains(": did you mean case-sensitive?"),
        "{message}"
    );
}

#[test]
fn unknown_keys_list_their_table_and_the_nearest() {
    let doc = |line: &str| {
        format!(
            "{GOOD}\n[[document]]\nid = \"guide\"\nname = \"编译环境说明\"\npaths = [\"docs/*编译*\"]\n{line}\n"
        )
    };
    let takes = "([[document]] takes id, name, paths, required-files, min-bytes, min-words, covers, min-coverage)";
    for (wrong, meant) in [
        ("min_bytes", "min-bytes"),
        ("minbytes", "min-bytes"),
        ("Min-Bytes", "min-bytes"),
    ] {
        let text = doc(&format!("{wrong} = 200"));
        let message = message_at(&text, "15:1");
        assert_eq!(
            message,
            format!("{wrong} is not a key of [[document]]: did you mean {meant}? {takes}")
        );
        let fixed = replace_line(&text, 15, &format!("{meant} = 200"));
        assert_eq!(load(&fixed), Ok(()), "{fixed}");
    }
    let text = GOOD.replace("paths = [\"core/**\"]", "path = [\"core/**\"]");
    assert_eq!(
        message_at(&text, "9:1"),
        "path is not a key of [[module]]: did you mean paths? ([[module]] takes id, name, paths, required-files, min-source-files, source-extensions)"
    );
    assert_eq!(load(&text.replace("path =", "paths =")), Ok(()));
    // A key of another table says where it belongs.
    let text = GOOD.replace(
        "paths = [\"core/**\"]",
        "paths = [\"core/**\"]\nmin-bytes = 5",
    );
    assert_eq!(
        message_at(&text, "10:1"),
        "min-bytes is not a key of [[module]]: min-bytes belongs in [[document]], not [[module]] ([[module]] takes id, name, paths, required-files, min-source-files, source-extensions)"
    );
    // [contract] and [build] too.
    let text = GOOD.replace("id = \"HT-1\"", "id = \"HT-1\"\nclinet = \"某医院\"");
    assert!(
        message_at(&text, "5:1").starts_with("clinet is not a key of [contract]: did you mean client? ([contract] takes id, title, client, vendor,"),
        "{text}"
    );
}

#[test]
fn a_table_with_the_wrong_brackets_says_which_to_write() {
    let text = format!(
        "{GOOD}\n[document]\nid = \"guide\"\nname = \"编译环境说明\"\npaths = [\"docs/*编译*\"]\n"
    );
    let message = message_at(&text, "11:2");
    assert_eq!(
        message,
        "[document] must be written [[document]], with two brackets on each side: each entry starts with its own [[document]] line"
    );
    assert_eq!(load(&replace_line(&text, 11, "[[document]]")), Ok(()));
    // After a [[module]], [module] is a second definition to TOML: the same message.
    let text =
        format!("{GOOD}\n[module]\nid = \"emr\"\nname = \"电子病历\"\npaths = [\"emr/**\"]\n");
    assert_eq!(
        message_at(&text, "11:2"),
        "[module] must be written [[module]], with two brackets on each side: each entry starts with its own [[module]] line"
    );
    assert_eq!(load(&replace_line(&text, 11, "[[module]]")), Ok(()));
    let text = GOOD.replace("[contract]", "[[contract]]");
    let message = message_at(&text, "3:3");
    assert_eq!(
        message,
        "[[contract]] must be written [contract], with one bracket on each side: the manifest has a single [contract] table"
    );
    assert_eq!(load(&replace_line(&text, 3, "[contract]")), Ok(()));
    let text = "schema-version = 1\nmodule = \"core\"\n";
    assert_eq!(
        message_at(text, "2:10"),
        "module must be a table: write [[module]] on a line of its own, with its keys on the lines below"
    );
}

#[test]
fn punctuation_typed_with_a_chinese_input_method_is_named_with_the_corrected_line() {
    // (the line as typed, where the first full-width character is, the message)
    let cases = [
        (
            "name = “门诊管理”",
            "8:8",
            "the quotation marks “ ” were typed with a Chinese input method; TOML needs the plain ASCII \": write name = \"门诊管理\"",
        ),
        (
            "name = \"门诊管理”",
            "8:13",
            "the quotation marks “ ” were typed with a Chinese input method; TOML needs the plain ASCII \": write name = \"门诊管理\"",
        ),
        (
            "name = ‘门诊管理’",
            "8:8",
            "the quotation marks ‘ ’ were typed with a Chinese input method; TOML needs the plain ASCII ': write name = '门诊管理'",
        ),
        (
            "name： \"门诊管理\"",
            "8:5",
            "the colon ： was typed with a Chinese input method; TOML needs the plain ASCII =: write name = \"门诊管理\"",
        ),
        (
            "name ＝ \"门诊管理\"",
            "8:6",
            "the equals sign ＝ was typed with a Chinese input method; TOML needs the plain ASCII =: write name = \"门诊管理\"",
        ),
        (
            "name\u{3000}= \"门诊管理\"",
            "8:5",
            "the wide space (U+3000) was typed with a Chinese input method; TOML needs the plain ASCII space: write name = \"门诊管理\"",
        ),
        (
            "paths = ［“core/**”，“lib/**”］",
            "9:9",
            "the brackets ［ ］, the quotation marks “ ” and the comma ， were typed with a Chinese input method; TOML needs the plain ASCII [ ], \" and ,: write paths = [\"core/**\",\"lib/**\"]",
        ),
        (
            "paths = 【\"core/**\"】",
            "9:9",
            "the brackets 【 】 were typed with a Chinese input method; TOML needs the plain ASCII [ ]: write paths = [\"core/**\"]",
        ),
    ];
    for (typed, at, want) in cases {
        let line = if typed.starts_with("name") { 8 } else { 9 };
        let text = replace_line(GOOD, line, typed);
        let message = message_at(&text, at);
        assert_eq!(message, want, "{typed}");
        let fixed = replace_line(&text, line, written_fix(&message));
        assert_eq!(load(&fixed), Ok(()), "{fixed}");
    }
    // Inside a correctly quoted string, full-width punctuation is content (a Chinese name).
    let text = GOOD.replace(
        "name = \"核心\"",
        "name = \"门诊（挂号、收费），“一卡通”：【核心】\"",
    );
    assert_eq!(load(&text), Ok(()));
    // Other syntax errors are still listed beside it.
    let text = replace_line(&replace_line(GOOD, 8, "name = “核心”"), 4, "id = \"HT-1");
    let err = load(&text).unwrap_err();
    assert!(err.contains("M:4:11: invalid basic string"), "{err}");
    assert!(err.contains("M:8:8: the quotation marks “ ”"), "{err}");
    assert!(err.contains("2 problems in the manifest"), "{err}");
}

#[test]
fn a_placeholder_left_by_manifest_init_is_refused_where_it_is() {
    let todo = format!(
        "\"{}: write this module's folder, e.g. \\\"pacs/**\\\"\"",
        escrow::manifest::TODO_MARK
    );
    let text = format!(
        "{GOOD}\n[[module]]\nid = \"pacs\"\nname = \"医学影像\"\npaths = [{todo}]\nrequired-files = [{todo}]\n"
    );
    let message = message_at(&text, "14:10");
    assert_eq!(
        message,
        "module \"pacs\" (医学影像) still has the TODO placeholder written by `escrow manifest init` in paths: replace it with the module's folder(s), e.g. paths = [\"pacs/**\"]; if the vendor has not delivered it, keep the entry and write where it is to be delivered: the check then reports it missing; delete the entry only if the contract does not require it / 模块「pacs」（医学影像）的 paths 仍是 escrow manifest init 写下的 TODO 占位内容：请改为该模块所在的文件夹，例如 paths = [\"pacs/**\"]；如供应商尚未交付，请保留该条目并写上应交付的位置，检查会报告其缺失；只有合同不要求此项时才删除该条目"
    );
    let required = message_at(&text, "15:19");
    assert!(
        required.starts_with("module \"pacs\" (医学影像) still has the TODO placeholder written by `escrow manifest init` in required-files: replace it with the files that must be delivered, e.g. required-files = [\"pacs/pom.xml\"]"),
        "{required}"
    );
    let example = |m: &str| {
        m.split("e.g. ")
            .nth(1)
            .unwrap()
            .split("; if the vendor")
            .next()
            .unwrap()
            .to_owned()
    };
    let fixed = replace_line(
        &replace_line(&text, 14, &example(&message)),
        15,
        &example(&required),
    );
    assert_eq!(load(&fixed), Ok(()), "{fixed}");
    // Deleting the entry is accepted too.
    assert_eq!(load(GOOD), Ok(()));
}

#[test]
fn text_and_yes_or_no_say_how_to_write_them() {
    let text = GOOD.replace("id = \"core\"", "id = 7");
    let message = message_at(&text, "7:6");
    assert_eq!(message, "id: 7 must be text in quotes: write id = \"7\"");
    assert_eq!(load(&replace_line(&text, 7, written_fix(&message))), Ok(()));
    let text = GOOD.replace("[\"core/**\"]", "[\"core/**\", 5]");
    assert_eq!(
        message_at(&text, "9:21"),
        "paths: 5 must be text in quotes: write \"5\" in the list"
    );
    let text = format!(
        "schema-version = 1\ncase-sensitive = \"yes\"\n{}",
        &GOOD[19..]
    );
    assert_eq!(
        message_at(&text, "2:18"),
        "case-sensitive: \"yes\" must be true or false: write case-sensitive = true or case-sensitive = false"
    );
    assert_eq!(
        load(&replace_line(&text, 2, "case-sensitive = true")),
        Ok(())
    );
}

#[test]
fn a_missing_key_says_which_line_to_add() {
    let text = GOOD.replace("name = \"核心\"\n", "");
    let message = message_at(&text, "6:1");
    assert_eq!(
        message,
        "[[module]] needs name: add a line name = \"…\" under this [[module]] line (see manifests/template.toml)"
    );
    let line = message
        .split("add a line ")
        .nth(1)
        .unwrap()
        .split(" under")
        .next()
        .unwrap();
    assert_eq!(
        load(&text.replace("[[module]]\n", &format!("[[module]]\n{line}\n"))),
        Ok(())
    );
    let text = GOOD.replace("schema-version = 1\n", "");
    let message = message_at(&text, "1:1");
    let line = message
        .split("add a line ")
        .nth(1)
        .unwrap()
        .split(" at the top")
        .next()
        .unwrap();
    assert_eq!(line, "schema-version = 1");
    assert_eq!(load(&format!("{line}\n{text}")), Ok(()));
}
