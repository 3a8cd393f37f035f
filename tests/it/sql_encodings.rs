//! SQL scripts in the encodings real Chinese deliveries use count their tables.

use crate::common::*;

const DB: &str = "schema-version = 1\n[[database]]\nid = \"db\"\nname = \"数据库脚本\"\npaths = [\"**/*.sql\"]\nmin-tables = 6\n";

const SCRIPT: &str = "-- 门诊数据库 建表脚本\nCREATE TABLE [dbo].[门诊病人] ([编号] int, [姓名] nvarchar(20));\nGO\ncreate table `挂号记录` (`id` bigint);\n";

#[test]
fn gbk_utf16_and_bom_scripts_count_their_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let (gbk, _, _) = encoding_rs::GB18030.encode(SCRIPT);
    write(d, "db/gbk.sql", gbk);
    let mut le = vec![0xFF, 0xFE];
    le.extend(SCRIPT.encode_utf16().flat_map(u16::to_le_bytes));
    write(d, "db/utf16le.sql", le);
    let mut be = vec![0xFE, 0xFF];
    be.extend(SCRIPT.encode_utf16().flat_map(u16::to_be_bytes));
    write(d, "db/utf16be.SQL", be);
    let mdir = tempfile::tempdir().unwrap();
    let run = check_json(d, &manifest(mdir.path(), DB));
    let r = run.json();
    assert_eq!(requirement(&r, "db")["tables"], 6, "{r}");
    assert_eq!(run.code, 0);
    let evidence = requirement(&r, "db")["evidence"].as_str().unwrap();
    for enc in [
        "GB18030/GBK",
        "UTF-16LE (BOM)",
        "UTF-16BE (BOM)",
        "dbo.门诊病人",
        "挂号记录",
    ] {
        assert!(evidence.contains(enc), "{evidence}");
    }
    // One table short of min-tables: the evidence names each script's count and encoding.
    std::fs::remove_file(d.join("db/utf16be.SQL")).unwrap();
    let mut utf8bom = b"\xEF\xBB\xBF".to_vec();
    utf8bom.extend("CREATE TABLE 单表 (x int);\n".as_bytes());
    write(d, "db/bom.sql", utf8bom);
    let run = check_json(d, &manifest(mdir.path(), DB));
    let r = run.json();
    assert_eq!(run.code, 1);
    let f = with_code(&r, "database-no-tables")[0];
    let ev: Vec<&str> = f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        ev,
        [
            "db/bom.sql: 1 tables, UTF-8 (BOM)",
            "db/gbk.sql: 2 tables, GB18030/GBK",
            "db/utf16le.sql: 2 tables, UTF-16LE (BOM)"
        ]
    );
}

/// One `[[database]]` requirement over `db/**/*.sql` with `min-tables`: the scripts are written,
/// the binary run; returns the report and the exit code.
fn check_scripts(files: &[(&str, Vec<u8>)], min_tables: u64) -> (serde_json::Value, i32) {
    let tmp = tempfile::tempdir().unwrap();
    for (path, bytes) in files {
        write(tmp.path(), path, bytes);
    }
    let mdir = tempfile::tempdir().unwrap();
    let text = DB.replace("min-tables = 6", &format!("min-tables = {min_tables}"));
    let run = check_json(tmp.path(), &manifest(mdir.path(), &text));
    (run.json(), run.code)
}

fn gbk(s: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(s).0.into_owned()
}

fn evidence(r: &serde_json::Value) -> &str {
    requirement(r, "db")["evidence"].as_str().unwrap()
}

#[test]
fn gbk_script_whose_first_64_kib_are_ascii() {
    // A MySQL dump: 90 KB of ASCII rows, then GBK. 淺 is 9C 5C in GBK: read as UTF-8, its 0x5C
    // would be a backslash escaping the string's closing quote.
    let mut bytes = "INSERT INTO `log` VALUES (1,'ok');\n"
        .repeat(2600)
        .into_bytes();
    assert!(bytes.len() > 64 * 1024);
    bytes.extend(gbk(
        "INSERT INTO `dict` VALUES ('淺');\nCREATE TABLE `門診` (x int);\nCREATE TABLE `籠` (y int);\n",
    ));
    let (r, code) = check_scripts(&[("db/dump.sql", bytes)], 2);
    assert_eq!(requirement(&r, "db")["tables"], 2, "{r}");
    assert_eq!(code, 0);
    assert_eq!(evidence(&r), "1 scripts, 2 tables (GB18030/GBK): 門診, 籠");
}

#[test]
fn utf8_script_with_one_gbk_line_reads_each_line_in_its_encoding() {
    // A GBK comment pasted into a UTF-8 script: read as GB18030, the UTF-8 of 表 would swallow
    // the closing backtick.
    let mut bytes = gbk("-- 门诊建表脚本（旧版说明）\n");
    bytes.extend("CREATE TABLE `表` (x int);\nCREATE TABLE `药品` (y int);\n".as_bytes());
    let (r, code) = check_scripts(&[("db/mixed.sql", bytes)], 2);
    assert_eq!(requirement(&r, "db")["tables"], 2, "{r}");
    assert_eq!(code, 0);
    assert_eq!(
        evidence(&r),
        "1 scripts, 2 tables (UTF-8 + GB18030/GBK): 表, 药品"
    );
}

#[test]
fn utf16_scripts_without_bom_with_u_xx00_characters() {
    // 一 is U+4E00 and 最 U+6700: a NUL in the low byte as well as in ASCII's high bytes.
    let script = "-- 最新版本\nCREATE TABLE dbo.一病区 (最后就诊 datetime, id int);\nGO\nCREATE TABLE dbo.patient (id int, name nvarchar(20));\nGO\n";
    let le: Vec<u8> = script.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = script.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let (r, code) = check_scripts(&[("db/le.sql", le), ("db/be.sql", be)], 4);
    assert_eq!(requirement(&r, "db")["tables"], 4, "{r}");
    assert_eq!(code, 0);
    assert_eq!(
        evidence(&r),
        "2 scripts, 4 tables (UTF-16BE, UTF-16LE): dbo.一病区, dbo.patient, dbo.一病区, dbo.patient"
    );
}

#[test]
fn too_few_tables_counts_each_script_exactly() {
    // T-SQL in GBK: a literal backslash, grants, temporary tables; only two tables count.
    let tsql = gbk(
        "-- 自助机脚本\nSELECT REPLACE(@path,'\\','/')\nGO\nGRANT CREATE TABLE, CREATE VIEW TO his\nGO\nCREATE TABLE #临时 (x int)\nCREATE TABLE [dbo].[自助结算] (x int)\nCREATE TABLE [dbo].[押金退款] (y int)\nGO\n",
    );
    // PostgreSQL in UTF-8: a dollar-quoted body and a session table.
    let pg = "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; -- don't\n$$ LANGUAGE sql;\nCREATE TEMP TABLE t (x int);\nCREATE TABLE \"挂号\u{1b}[2J\" (x int);\n"
        .as_bytes()
        .to_vec();
    let (r, code) = check_scripts(&[("db/a_tsql.sql", tsql), ("db/b_pg.sql", pg)], 4);
    assert_eq!(code, 1);
    assert_eq!(requirement(&r, "db")["tables"], 3, "{r}");
    let f = with_code(&r, "database-no-tables");
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0]["message"],
        "database scripts \"数据库脚本\": 2 scripts create 3 tables, at least 4 required"
    );
    let ev: Vec<&str> = f[0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        ev,
        [
            "db/a_tsql.sql: 2 tables, GB18030/GBK",
            "db/b_pg.sql: 1 tables, UTF-8"
        ]
    );
    // The name's escape sequence is shown escaped, never raw.
    assert_eq!(
        evidence(&r),
        "2 scripts, 3 tables (GB18030/GBK, UTF-8): dbo.自助结算, dbo.押金退款, 挂号\\u{1b}[2J"
    );
}
