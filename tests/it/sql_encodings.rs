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
