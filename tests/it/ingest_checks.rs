//! Requirement checks on deliveries as vendors make them: PostgreSQL dumps (pg_dump and
//! pg_dumpall, plain format) count their tables and not their data rows; Git LFS pointer files
//! satisfy no requirement, in a folder, a zip or a git delivery.

use std::path::Path;

use crate::common::*;

/// The output of `pg_dump his` (PostgreSQL 15.18, with the `\restrict` lines of its recent
/// releases), `{TAB}` standing for a tab and `{KEY}` for the restrict key. Six tables; the COPY
/// rows hold apostrophes, `CREATE TABLE` text, escaped backslashes and tabs, `\N`, a backtick
/// and `ENGINE=`, which a reader taking them for SQL would miscount.
const PG_DUMP: &str = r#"--
-- PostgreSQL database dump
--

\restrict {KEY}

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: audit_log; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.audit_log (
    id integer,
    line text
);


ALTER TABLE public.audit_log OWNER TO postgres;

--
-- Name: lab_result; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.lab_result (
    id integer,
    value text
);


ALTER TABLE public.lab_result OWNER TO postgres;

--
-- Name: orders; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.orders (
    id integer,
    body text
);


ALTER TABLE public.orders OWNER TO postgres;

--
-- Name: patient; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.patient (
    id integer NOT NULL,
    name text,
    note text
);


ALTER TABLE public.patient OWNER TO postgres;

--
-- Name: visit; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.visit (
    id integer,
    patient_id integer,
    memo text
);


ALTER TABLE public.visit OWNER TO postgres;

--
-- Name: 门诊挂号; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public."门诊挂号" (
    id integer,
    dept text
);


ALTER TABLE public."门诊挂号" OWNER TO postgres;

--
-- Data for Name: audit_log; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.audit_log (id, line) FROM stdin;
1{TAB}\\connect evil
2{TAB}`ENGINE=x`
\.


--
-- Data for Name: lab_result; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.lab_result (id, value) FROM stdin;
\.


--
-- Data for Name: orders; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.orders (id, body) FROM stdin;
1{TAB}CREATE TABLE fake2 (y int);
2{TAB}\\.
\.


--
-- Data for Name: patient; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.patient (id, name, note) FROM stdin;
1{TAB}O'Neil{TAB}it's; CREATE TABLE fake1 (x int);
2{TAB}back\\slash\ttab{TAB}\N
3{TAB}line1\nline2{TAB}$$ -- /* x
\.


--
-- Data for Name: visit; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.visit (id, patient_id, memo) FROM stdin;
\.


--
-- Data for Name: 门诊挂号; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public."门诊挂号" (id, dept) FROM stdin;
1{TAB}内科's
\.


--
-- Name: patient patient_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.patient
    ADD CONSTRAINT patient_pkey PRIMARY KEY (id);


--
-- PostgreSQL database dump complete
--

\unrestrict {KEY}

"#;

/// The restrict key pg_dump writes: 63 letters and digits, random for each dump.
fn restrict_key(seed: u8) -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..63u32)
        .map(|i| alphabet[((i * 37 + u32::from(seed) * 11) % 62) as usize] as char)
        .collect()
}

fn pg_dump_text(seed: u8) -> String {
    PG_DUMP
        .replace("{TAB}", "\t")
        .replace("{KEY}", &restrict_key(seed))
}

/// What `pg_dumpall` writes: roles, then each database after its `\connect`, with a CREATE
/// DATABASE for the ones not built in: `his` (`his_dump`, the output of `pg_dump his`), then
/// `lis` with two more tables, whose CREATE TABLE come after the rows of `his`.
fn pg_dumpall_text(his_dump: &str) -> String {
    let k = restrict_key;
    let set = "SET statement_timeout = 0;\nSET lock_timeout = 0;\nSET idle_in_transaction_session_timeout = 0;\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nSELECT pg_catalog.set_config('search_path', '', false);\nSET check_function_bodies = false;\nSET xmloption = content;\nSET client_min_messages = warning;\nSET row_security = off;\n";
    let dumped = "-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n\n";
    let his_body = &his_dump[his_dump.find("SET statement_timeout").unwrap()..];
    let his_body = his_body.replace(&format!("\\unrestrict {}\n", k(4)), "");
    let lis_tables = "SET default_tablespace = '';\n\nSET default_table_access_method = heap;\n\n--\n-- Name: report; Type: TABLE; Schema: public; Owner: postgres\n--\n\nCREATE TABLE public.report (\n    id integer,\n    body text\n);\n\n\nALTER TABLE public.report OWNER TO postgres;\n\n--\n-- Name: specimen; Type: TABLE; Schema: public; Owner: postgres\n--\n\nCREATE TABLE public.specimen (\n    id integer,\n    kind text\n);\n\n\nALTER TABLE public.specimen OWNER TO postgres;\n\n--\n-- Data for Name: report; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nCOPY public.report (id, body) FROM stdin;\n1\tHb 135 g/L\n\\.\n\n\n--\n-- Data for Name: specimen; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nCOPY public.specimen (id, kind) FROM stdin;\n1\tblood\n2\t\\N\n\\.\n\n\n--\n-- PostgreSQL database dump complete\n--\n\n";
    format!(
        "--\n-- PostgreSQL database cluster dump\n--\n\n\\restrict {k1}\n\nSET default_transaction_read_only = off;\n\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n\n--\n-- Roles\n--\n\nCREATE ROLE postgres;\nALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;\n\n--\n-- User Configurations\n--\n\n\\unrestrict {k1}\n\n--\n-- Databases\n--\n\n--\n-- Database \"template1\" dump\n--\n\n\\connect template1\n\n--\n-- PostgreSQL database dump\n--\n\n\\restrict {k2}\n\n{dumped}{set}\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict {k2}\n\n--\n-- Database \"his\" dump\n--\n\n--\n-- PostgreSQL database dump\n--\n\n\\restrict {k4}\n\n{dumped}{set}\n--\n-- Name: his; Type: DATABASE; Schema: -; Owner: postgres\n--\n\nCREATE DATABASE his WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'C.UTF-8';\n\n\nALTER DATABASE his OWNER TO postgres;\n\n\\unrestrict {k4}\n\\connect his\n\\restrict {k4}\n\n{his_body}\\unrestrict {k4}\n\n--\n-- Database \"lis\" dump\n--\n\n--\n-- PostgreSQL database dump\n--\n\n\\restrict {k5}\n\n{dumped}{set}\n--\n-- Name: lis; Type: DATABASE; Schema: -; Owner: postgres\n--\n\nCREATE DATABASE lis WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'C.UTF-8';\n\n\nALTER DATABASE lis OWNER TO postgres;\n\n\\unrestrict {k5}\n\\connect lis\n\\restrict {k5}\n\n{set}\n{lis_tables}\\unrestrict {k5}\n\n--\n-- PostgreSQL database cluster dump complete\n--\n\n",
        k1 = k(1),
        k2 = k(2),
        k4 = k(4),
        k5 = k(5),
    )
}

const DB: &str = "schema-version = 1\n[[database]]\nid = \"db\"\nname = \"数据库脚本\"\npaths = [\"**/*.sql\"]\nmin-tables = 6\n";

/// Check `files` (path, content) as a folder delivery against `manifest_text`.
fn check_folder(files: &[(&str, &[u8])], manifest_text: &str) -> Run {
    let tmp = tempfile::tempdir().unwrap();
    for (path, bytes) in files {
        write(tmp.path(), path, bytes);
    }
    let mdir = tempfile::tempdir().unwrap();
    check_json(tmp.path(), &manifest(mdir.path(), manifest_text))
}

#[test]
fn pg_dump_copy_rows_are_data_not_sql() {
    let real = [
        "public.audit_log",
        "public.lab_result",
        "public.orders",
        "public.patient",
        "public.visit",
        "public.门诊挂号",
    ];
    // Rows with three apostrophes: read as SQL, the last one would hide the rest of the file
    // (in the cluster dump, the tables of `lis`).
    let odd = pg_dump_text(4);
    // Rows with two, then none: the CREATE TABLE text in a row would be counted.
    let even = odd.replace("it's", "its");
    let none = even.replace("O'Neil", "ONeil").replace("内科's", "内科");
    for (label, dump) in [("odd ", &odd), ("even ", &even), ("none ", &none)] {
        let run = check_folder(&[("db/his.sql", dump.as_bytes())], DB);
        let r = run.json();
        let db = requirement(&r, "db");
        assert_eq!(db["tables"], 6, "{label}pg_dump: {db}");
        assert_eq!(run.code, 0, "{label}pg_dump: {r}");
        let evidence = db["evidence"].as_str().unwrap();
        for t in real {
            assert!(evidence.contains(t), "{label}pg_dump: {evidence}");
        }
        assert!(!evidence.contains("fake"), "{label}pg_dump: {evidence}");

        let cluster = pg_dumpall_text(dump);
        let run = check_folder(&[("db/cluster.sql", cluster.as_bytes())], DB);
        let db = requirement(&run.json(), "db").clone();
        assert_eq!(db["tables"], 8, "{label}pg_dumpall: {db}");
        let evidence = db["evidence"].as_str().unwrap();
        assert!(
            evidence.ends_with("public.门诊挂号, public.report, public.specimen"),
            "{label}pg_dumpall: {evidence}"
        );
    }
}

/// A Git LFS pointer of exactly 130 bytes, as `git lfs` writes it in place of a file's content.
fn lfs_pointer(seed: u8) -> Vec<u8> {
    let hex = b"0123456789abcdef";
    let oid: String = (0..64u8)
        .map(|i| hex[usize::from(i.wrapping_mul(7).wrapping_add(seed) % 16)] as char)
        .collect();
    let p = format!("version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize 48213\n");
    assert_eq!(p.len(), 130);
    p.into_bytes()
}

const LFS_MANIFEST: &str = r#"schema-version = 1

[[module]]
id = "his"
name = "门诊系统"
paths = ["his/**"]
min-source-files = 2

[[document]]
id = "deployment-manual"
name = "部署手册"
paths = ["docs/**/*部署*"]
min-bytes = 100

[[document]]
id = "build-guide"
name = "编译环境说明"
paths = ["docs/**/*编译*"]
min-bytes = 100

[[database]]
id = "db"
name = "数据库脚本"
paths = ["db/**/*.sql"]
min-tables = 1

[[dependencies]]
id = "deps"
name = "依赖清单文件"
paths = ["**/pom.xml"]
"#;

/// A delivery where each requirement is matched by a Git LFS pointer: the deployment manual,
/// the database script, the Maven pom and one of two Java files; the build guide is real.
fn lfs_delivery(dir: &Path) {
    write(dir, "docs/部署手册.docx", lfs_pointer(1));
    write(dir, "docs/编译环境说明.md", "# 编译环境\n".repeat(30));
    write(dir, "db/schema.sql", lfs_pointer(2));
    write(dir, "pom.xml", lfs_pointer(3));
    write(
        dir,
        "his/src/Main.java",
        "package his;\n\npublic class Main {\n    public static void main(String[] args) {}\n}\n",
    );
    write(dir, "his/src/Billing.java", lfs_pointer(4));
}

/// The report's findings of `code` for requirement `id`.
fn finding<'a>(r: &'a serde_json::Value, code: &str, id: &str) -> &'a serde_json::Value {
    let found: Vec<_> = with_code(r, code)
        .into_iter()
        .filter(|f| f["requirement"] == id)
        .collect();
    assert_eq!(found.len(), 1, "{code} for {id}: {:?}", codes(r));
    found[0]
}

fn evidence_of(f: &serde_json::Value) -> Vec<&str> {
    f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

fn assert_pointers_count_for_nothing(r: &serde_json::Value, form: &str) {
    let doc = finding(r, "document-missing", "deployment-manual");
    assert_eq!(doc["path"], "docs/部署手册.docx", "{form}");
    assert!(
        doc["message"]
            .as_str()
            .unwrap()
            .contains("the only matching file is a Git LFS pointer"),
        "{form}: {doc}"
    );
    assert!(
        doc["message_zh"].as_str().unwrap().contains("Git LFS 指针"),
        "{form}: {doc}"
    );
    assert_eq!(
        evidence_of(doc),
        ["docs/部署手册.docx is a Git LFS pointer, not the document"],
        "{form}"
    );
    assert_eq!(
        requirement(r, "deployment-manual")["status"],
        "unmet",
        "{form}"
    );
    assert_eq!(requirement(r, "build-guide")["status"], "met", "{form}");

    let db = finding(r, "database-missing", "db");
    assert_eq!(
        evidence_of(db),
        ["db/schema.sql is a Git LFS pointer, not the database script"],
        "{form}"
    );
    assert_eq!(requirement(r, "db")["tables"], 0, "{form}");
    let deps = finding(r, "dependencies-missing", "deps");
    assert_eq!(
        evidence_of(deps),
        ["pom.xml is a Git LFS pointer, not the dependency list"],
        "{form}"
    );
    assert!(
        with_code(r, "dependencies-unparseable").is_empty(),
        "{form}: a pointer is not read as a pom"
    );
    let module = finding(r, "module-empty", "his");
    assert!(
        evidence_of(module)
            .contains(&"his/src/Billing.java is a Git LFS pointer, not the source code"),
        "{form}: {module}"
    );
    assert_eq!(requirement(r, "his")["source_files"], 1, "{form}");
    assert!(
        requirement(r, "his")["evidence"]
            .as_str()
            .unwrap()
            .ends_with("; 1 Git LFS pointer not counted"),
        "{form}"
    );
    // The scan still reports the pointers as such.
    assert_eq!(with_code(r, "git-lfs-pointer").len(), 1, "{form}");
}

#[test]
fn git_lfs_pointers_satisfy_no_requirement() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("his");
    lfs_delivery(&dir);
    let m = manifest(tmp.path(), LFS_MANIFEST);

    let run = check_json(&dir, &m);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_pointers_count_for_nothing(&run.json(), "folder");

    // The same files in a zip archive, written by Python's zipfile.
    let zip = tmp.path().join("his.zip");
    let status = std::process::Command::new("python3")
        .args([
            "-c",
            "import os, sys, zipfile\nwith zipfile.ZipFile(sys.argv[2], 'w') as z:\n    for d, _, fs in os.walk(sys.argv[1]):\n        for f in fs:\n            p = os.path.join(d, f)\n            z.write(p, os.path.relpath(p, sys.argv[1]))\n",
        ])
        .arg(&dir)
        .arg(&zip)
        .status()
        .unwrap();
    assert!(status.success());
    let run = check_json(&zip, &m);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_pointers_count_for_nothing(&run.json(), "zip");

    // The same files committed to a repository (git itself, no LFS filter installed).
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .current_dir(&dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "vendor")
            .env("GIT_AUTHOR_EMAIL", "vendor@example.invalid")
            .env("GIT_COMMITTER_NAME", "vendor")
            .env("GIT_COMMITTER_EMAIL", "vendor@example.invalid")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "v1"]);
    let run = escrow([
        "check".as_ref(),
        format!("file://{}", dir.display()).as_ref(),
        "--manifest".as_ref(),
        m.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_pointers_count_for_nothing(&run.json(), "git");
    std::fs::remove_dir_all(dir.join(".git")).unwrap();

    // A real document beside the pointer meets the requirement; the pointer is not counted.
    write(&dir, "docs/部署手册.md", "# 部署手册\n".repeat(30));
    let r = check_json(&dir, &m).json();
    let manual = requirement(&r, "deployment-manual");
    assert_eq!(manual["status"], "met");
    assert!(
        manual["evidence"]
            .as_str()
            .unwrap()
            .contains("docs/部署手册.md"),
        "{manual}"
    );
}
