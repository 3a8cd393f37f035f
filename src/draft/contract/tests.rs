use super::*;
use crate::draft::BuildSystem;

fn module(root: &str, names: &[&str]) -> DetectedModule {
    let folder = root.rsplit('/').next().unwrap_or(root);
    DetectedModule {
        id: folder.to_lowercase(),
        name: names.first().map_or(folder, |n| *n).to_owned(),
        root: root.to_owned(),
        paths: vec![format!("{root}/**")],
        build_system: BuildSystem::Maven,
        found: String::new(),
        source_files: 10,
        languages: Vec::new(),
        names: std::iter::once(folder)
            .chain(names.iter().copied())
            .map(str::to_owned)
            .collect(),
    }
}

fn contracted(names: &[&str]) -> Vec<ContractedModule> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| ContractedModule {
            name: (*n).to_owned(),
            aliases: Vec::new(),
            line: i + 1,
        })
        .collect()
}

/// A hospital's nine contracted modules against a delivery of ten modules named in English,
/// pinyin initials and a Chinese Maven <name>.
fn hospital() -> (Vec<ContractedModule>, Vec<DetectedModule>) {
    let c = contracted(&[
        "门诊挂号",
        "门诊收费",
        "住院收费",
        "电子病历",
        "检验信息系统",
        "医学影像",
        "药房管理",
        "护士工作站",
        "手术麻醉",
    ]);
    let m = vec![
        module("his/his-register", &[]),
        module("his/his-fee", &["门诊收费"]),
        module("his/zyjs", &[]),
        module("emr-core", &["EmrCore"]),
        module("lis", &[]),
        module("pacs-web", &["pacs-web"]),
        module("yfgl", &[]),
        module("nurse-station", &["NurseStation"]),
        module("ykgl", &[]),
        module("common-utils", &[]),
    ];
    (c, m)
}
/// The delivered module's root each contracted name maps to, with its confidence.
fn outcome(
    c: &[ContractedModule],
    m: &[DetectedModule],
) -> Vec<(String, Option<String>, Confidence)> {
    map(c, m)
        .into_iter()
        .map(|r| {
            (
                r.contracted.name,
                r.module.map(|i| m[i].root.clone()),
                r.confidence,
            )
        })
        .collect()
}

#[test]
fn hospital_delivery_maps_each_contracted_module() {
    let (c, m) = hospital();
    let got = outcome(&c, &m);
    let want = [
        ("门诊挂号", Some("his/his-register"), Confidence::Medium),
        ("门诊收费", Some("his/his-fee"), Confidence::High),
        ("住院收费", Some("his/zyjs"), Confidence::Medium),
        ("电子病历", Some("emr-core"), Confidence::Medium),
        ("检验信息系统", Some("lis"), Confidence::Medium),
        ("医学影像", Some("pacs-web"), Confidence::Medium),
        ("药房管理", Some("yfgl"), Confidence::Medium),
        ("护士工作站", Some("nurse-station"), Confidence::Medium),
        ("手术麻醉", None, Confidence::None),
    ];
    let want: Vec<(String, Option<String>, Confidence)> = want
        .iter()
        .map(|(n, r, c)| ((*n).to_owned(), r.map(str::to_owned), *c))
        .collect();
    assert_eq!(got, want);
    // The two modules no contracted name asks for stay unassigned.
    let mapped: Vec<usize> = map(&c, &m).iter().filter_map(|r| r.module).collect();
    for unasked in ["ykgl", "common-utils"] {
        let i = m.iter().position(|x| x.root == unasked).unwrap();
        assert!(
            !mapped.contains(&i),
            "{unasked} was given to a contracted name"
        );
    }
}

#[test]
fn explanations_name_the_evidence() {
    let (c, m) = hospital();
    let r = map(&c, &m);
    assert_eq!(
        r[0].why,
        "\"挂号\" = \"register\" in folder his/his-register; nothing found for \"门诊\""
    );
    assert_eq!(
        r[0].why_zh,
        "“挂号” = 文件夹 his/his-register 中的“register”；未找到“门诊”"
    );
    assert_eq!(
        r[1].why,
        "the names agree: \"门诊收费\" and the build-file name \"门诊收费\""
    );
    assert!(r[6].why.contains("\"药房管理\" = \"yfgl\""), "{}", r[6].why);
    assert!(r[8].why.contains("手术麻醉"), "{}", r[8].why);
    assert!(r[8].why_zh.contains("手术麻醉"), "{}", r[8].why_zh);
}

#[test]
fn other_candidates_are_listed() {
    let (c, m) = hospital();
    let r = map(&c, &m);
    // 住院收费 goes to his/zyjs; his/his-fee (门诊收费) also charges fees, for another setting.
    assert_eq!(r[2].also, vec![1]);
    assert!(r[0].also.is_empty());
}

#[test]
fn glossary_has_the_hospital_terms() {
    let g = glossary();
    assert!(g.terms.len() >= 60, "{} terms", g.terms.len());
    for t in &g.terms {
        assert!(t.zh.chars().all(is_han), "{}", t.zh);
        assert!(pinyin_full(&t.zh).is_some(), "{} has no pinyin", t.zh);
        for f in &t.forms {
            assert!(
                f.joined
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                "{}: {:?}",
                t.zh,
                f.joined
            );
        }
        for s in &t.same {
            assert!(
                g.by_zh.contains_key(s),
                "{}: near-synonym {s} is not a term",
                t.zh
            );
        }
    }
    let reg = &g.terms[g.by_zh["挂号"]];
    for w in ["register", "registration", "reg", "guahao", "gh"] {
        assert!(reg.forms.iter().any(|f| f.joined == w), "挂号 lacks {w}");
    }
}

#[test]
fn folder_names_split_into_words() {
    assert_eq!(words("his/his-register"), ["his", "his", "register"]);
    assert_eq!(words("HISRegister"), ["his", "register"]);
    assert_eq!(words("OutpatientRegister"), ["outpatient", "register"]);
    assert_eq!(words("nurse_station.v2"), ["nurse", "station", "v", "2"]);
    assert_eq!(words("EmrCore挂号"), ["emr", "core"]);
}

#[test]
fn pinyin_matches_names_and_initials() {
    // 药房管理: pinyin of the term, and initials of the whole name run together.
    for folder in ["yaofang", "yfgl", "pharmacy"] {
        let got = outcome(&contracted(&["药房管理"]), &[module(folder, &[])]);
        assert_eq!(got[0].2, Confidence::Medium, "{folder}");
    }
    // 陪护 (escort care) is not in the glossary: its pinyin is computed.
    let got = outcome(&contracted(&["陪护"]), &[module("peihu", &[])]);
    assert_eq!(got[0].2, Confidence::Medium);
    let r = map(&contracted(&["陪护"]), &[module("peihu", &[])]);
    assert_eq!(r[0].why, "\"陪护\" = \"peihu\" (pinyin) in folder peihu");
    // A two-letter abbreviation alone is weak.
    let got = outcome(&contracted(&["陪护"]), &[module("ph", &[])]);
    assert_eq!(got[0].2, Confidence::Low);
    // The initials of another name do not match.
    let got = outcome(&contracted(&["药房管理"]), &[module("ykgl", &[])]);
    assert_eq!(got[0].2, Confidence::None);
    // A glossary term's pinyin is explained as pinyin.
    let r = map(&contracted(&["药房管理"]), &[module("his/yaofang", &[])]);
    assert_eq!(
        r[0].why,
        "\"药房\" = \"yaofang\" (pinyin) in folder his/yaofang"
    );
    assert_eq!(
        r[0].why_zh,
        "“药房” = 文件夹 his/yaofang 中的“yaofang”（拼音）"
    );
}

#[test]
fn high_only_when_the_names_agree() {
    // Glossary words, pinyin and initials that cover the whole name: likely, not certain.
    for (name, folder) in [
        ("电子病历", "emr"),
        ("药房管理", "yaofangguanli"),
        ("门诊挂号", "outpatient-register"),
        ("门诊挂号", "mzgh"),
    ] {
        let got = outcome(&contracted(&[name]), &[module(folder, &[])]);
        assert_eq!(got[0].2, Confidence::Medium, "{name} / {folder}");
    }
    // The same names in a build file, or the name itself as the folder: certain.
    for (name, folder, names) in [
        ("电子病历", "emr", &["电子病历系统"][..]),
        ("药房管理", "yf", &["药房管理"][..]),
        ("药房管理系统", "yf", &["药房"][..]),
        ("LIS", "lis", &[][..]),
    ] {
        let got = outcome(&contracted(&[name]), &[module(folder, names)]);
        assert_eq!(got[0].2, Confidence::High, "{name} / {folder} {names:?}");
    }
    // A Chinese name that only contains the contracted one is not an agreement.
    let got = outcome(&contracted(&["挂号"]), &[module("x", &["门诊挂号收费"])]);
    assert_eq!(got[0].2, Confidence::Medium);
}

#[test]
fn aliases_are_matched_too() {
    let mut c = contracted(&["医学影像"]);
    let m = [module("imgsys", &[]), module("pacs", &[])];
    assert_eq!(outcome(&c, &m)[0].1.as_deref(), Some("pacs"));
    assert_eq!(outcome(&c, &m)[0].2, Confidence::Medium);
    c[0].aliases = vec!["PACS".to_owned()];
    let r = map(&c, &m);
    assert_eq!(r[0].module, Some(1));
    assert_eq!(r[0].confidence, Confidence::High);
    assert_eq!(
        r[0].why,
        "alias \"PACS\": the names agree: \"PACS\" and folder pacs"
    );
}

#[test]
fn another_setting_weakens_a_match() {
    // 住院收费 (inpatient billing) against an outpatient billing module: only a weak candidate.
    let r = map(
        &contracted(&["住院收费"]),
        &[module("outpatient-billing", &[])],
    );
    assert_eq!(r[0].confidence, Confidence::Low);
    assert!(r[0].why.contains("named for \"门诊\""), "{}", r[0].why);
    // Without a setting in the folder name, the same words are a likely match.
    let r = map(&contracted(&["住院收费"]), &[module("billing", &[])]);
    assert_eq!(r[0].confidence, Confidence::Medium);
}

#[test]
fn best_pairs_are_assigned_first() {
    // Both modules are "register" modules; 预约挂号 fits appointment-register far better, so
    // 门诊挂号 gets the other one even though appointment-register comes first.
    let c = contracted(&["门诊挂号", "预约挂号"]);
    let m = [
        module("appointment-register", &[]),
        module("his-register", &[]),
    ];
    let got = outcome(&c, &m);
    assert_eq!(got[0].1.as_deref(), Some("his-register"));
    assert_eq!(got[1].1.as_deref(), Some("appointment-register"));
}

#[test]
fn one_module_can_serve_two_names_when_nothing_else_fits() {
    let c = contracted(&["门诊收费", "住院收费"]);
    let m = [module("charge", &["收费管理"]), module("common-utils", &[])];
    let r = map(&c, &m);
    assert_eq!(r[0].module, Some(0));
    assert_eq!(r[1].module, Some(0));
    assert!(
        r[1].why.ends_with("the same module as \"门诊收费\""),
        "{}",
        r[1].why
    );
    assert!(
        r[0].why.ends_with("the same module as \"住院收费\""),
        "{}",
        r[0].why
    );
    assert!(
        r[1].why_zh.ends_with("与“门诊收费”为同一模块"),
        "{}",
        r[1].why_zh
    );
    // With a module of its own nearly as good, each name keeps its own.
    let m = [module("charge", &["收费管理"]), module("zysf", &[])];
    let got = outcome(&c, &m);
    assert_eq!(got[0].1.as_deref(), Some("charge"));
    assert_eq!(got[1].1.as_deref(), Some("zysf"));
}

#[test]
fn nothing_delivered_maps_to_none() {
    let r = map(&contracted(&["门诊挂号"]), &[]);
    assert_eq!(r[0].module, None);
    assert_eq!(r[0].confidence, Confidence::None);
    assert!(r[0].score.abs() < f64::EPSILON);
}

/// The problems of a contract file's text, as `LINE:COL: message`.
fn problems(text: &str) -> Vec<String> {
    match parse(text) {
        Ok(f) => panic!("accepted: {f:?}"),
        Err(p) => p
            .into_iter()
            .map(|p| format!("{}:{}: {}", p.line, p.col, p.message))
            .collect(),
    }
}

fn names(f: &ContractFile) -> Vec<(&str, Vec<&str>, usize)> {
    f.modules
        .iter()
        .map(|m| {
            (
                m.name.as_str(),
                m.aliases.iter().map(String::as_str).collect(),
                m.line,
            )
        })
        .collect()
}

#[test]
fn reads_modules_and_contract() {
    let text = "# 合同模块\n\
                modules = [\n  \"门诊挂号\",\n  \"住院收费\",\n  { name = \"医学影像\", aliases = [\"PACS\", \"影像归档\"] },\n]\n\
                \n[contract]\ntitle = \"某医院HIS改造项目\"\nid = \"HT-2026-001\"\ncalendar = \"cn\"\n";
    let f = parse(text).unwrap();
    assert_eq!(
        names(&f),
        [
            ("门诊挂号", vec![], 3),
            ("住院收费", vec![], 4),
            ("医学影像", vec!["PACS", "影像归档"], 5),
        ]
    );
    assert!(!f.from_manifest);
    // In the manifest's key order, ready to paste.
    let toml = f.contract_toml.unwrap();
    assert_eq!(
        toml,
        "[contract]\nid = \"HT-2026-001\"\ntitle = \"某医院HIS改造项目\"\ncalendar = \"cn\"\n"
    );
    // The manifest reads it back as written.
    let manifest = crate::manifest::parse(&format!(
        "schema-version = 1\n{toml}[[module]]\nid = \"a\"\nname = \"a\"\npaths = [\"a/**\"]\n"
    ))
    .unwrap();
    assert_eq!(manifest.contract.id.as_deref(), Some("HT-2026-001"));
    assert_eq!(
        manifest.contract.title.as_deref(),
        Some("某医院HIS改造项目")
    );
    // Without [contract], nothing to copy.
    assert_eq!(
        parse("modules = [\"门诊挂号\"]\n").unwrap().contract_toml,
        None
    );
}

#[test]
fn every_contract_key_is_one_the_manifest_reads() {
    let values = [
        ("id", "HT-1"),
        ("title", "t"),
        ("client", "某医院"),
        ("vendor", "某公司"),
        ("update-deadline", "10 working days"),
        ("delivery-deadline", "30个工作日"),
        ("calendar", "mon-fri"),
    ];
    let keys: Vec<&str> = values.iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, CONTRACT_KEYS);
    let mut text = String::from("modules = [\"门诊挂号\"]\n[contract]\n");
    for (k, v) in values {
        text.push_str(&format!("{k} = \"{v}\"\n"));
    }
    let f = parse(&text).unwrap();
    assert_eq!(
        f.contract_toml.unwrap(),
        text["modules = [\"门诊挂号\"]\n".len()..]
    );
}

#[test]
fn each_problem_has_its_line_and_column() {
    assert_eq!(
        problems("modules = []\n"),
        [
            "1:11: `modules` is empty: list the contracted modules, e.g. modules = [\"门诊挂号\", \"住院收费\"]"
        ]
    );
    assert_eq!(
        problems("modules = [\n  \"门诊挂号\",\n  \"住院收费\",\n  \"门诊挂号\",\n]\n"),
        [
            "4:3: \"门诊挂号\" is named twice (first as \"门诊挂号\" on line 2); each contracted module and alias must be listed once"
        ]
    );
    // An alias repeating another module's name is a repeat too.
    assert_eq!(
        problems("modules = [\"PACS\", { name = \"医学影像\", aliases = [\"pacs\"] }]\n"),
        [
            "1:48: \"pacs\" is named twice (first as \"PACS\" on line 1); each contracted module and alias must be listed once"
        ]
    );
    assert_eq!(
        problems("modules = [\"门诊挂号\"]\n[contract]\nid = \"HT-1\"\nnumber = \"2\"\n"),
        [
            "4:1: unknown key `number` in [contract]: the allowed keys are id, title, client, vendor, update-deadline, delivery-deadline, calendar"
        ]
    );
    assert_eq!(
        problems("module = [\"门诊挂号\"]\n"),
        [
            "1:1: unknown key `module` (did you mean `modules`?): a contract file has `modules` (the contracted module names, at the top) and a [contract] table (keys: id, title, client, vendor, update-deadline, delivery-deadline, calendar)",
            "1:1: no `modules`: list the contracted modules at the top of the file, before [contract], e.g. modules = [\"门诊挂号\", \"住院收费\"]",
        ]
    );
    assert_eq!(
        problems("names = [\"门诊挂号\"]\n"),
        [
            "1:1: unknown key `names`: a contract file has `modules` (the contracted module names, at the top) and a [contract] table (keys: id, title, client, vendor, update-deadline, delivery-deadline, calendar)",
            "1:1: no `modules`: list the contracted modules at the top of the file, before [contract], e.g. modules = [\"门诊挂号\", \"住院收费\"]",
        ]
    );
    assert_eq!(
        problems("modules = [{ name = \"医学影像\", alias = [\"PACS\"] }]\n"),
        ["1:29: unknown key `alias` in a module entry: the allowed keys are name, aliases"]
    );
    assert_eq!(
        problems("modules = \"门诊挂号\"\n"),
        [
            "1:11: `modules` must be a list in square brackets, e.g. modules = [\"门诊挂号\", \"住院收费\"]"
        ]
    );
    assert_eq!(
        problems("modules = [\"门诊挂号\", 3]\n"),
        ["1:20: each module is a name in quotes, or { name = \"…\", aliases = [\"…\"] }"]
    );
}

#[test]
fn modules_under_contract_are_refused_with_the_fix() {
    let p = problems("[contract]\nid = \"HT-1\"\nmodules = [\"门诊挂号\"]\n");
    assert_eq!(
        p,
        [
            "3:1: `modules` is inside [contract] here: TOML puts every line after the [contract] line into that table; move the `modules = [...]` line above the [contract] line, to the top of the file"
        ]
    );
}

#[test]
fn chinese_punctuation_is_named_as_the_cause() {
    let p = problems("modules = [“门诊挂号”]\n");
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("1:12: “ is a Chinese opening quotation mark, typed with a Chinese input method; TOML needs the plain \" here"),
        "{p:?}"
    );
    let p = problems("modules = [\"门诊挂号\"，\"住院收费\"]\n");
    assert!(p[0].starts_with("1:18: ， is a Chinese comma"), "{p:?}");
    // Inside quotes, Chinese quotation marks are just text.
    let f = parse("modules = [\"“门诊”挂号\"]\n").unwrap();
    assert_eq!(f.modules[0].name, "“门诊”挂号");
}

#[test]
fn contract_values_are_checked_as_the_manifest_checks_them() {
    let p = problems(
        "modules = [\"门诊挂号\"]\n[contract]\nupdate-deadline = \"ten days\"\ncalendar = \"moon\"\nid = 7\n",
    );
    assert_eq!(
        p,
        [
            "3:19: \"ten days\" is not a deadline: write e.g. \"10 working days\", \"10个工作日\", \"15 days\" or \"15天\"",
            "4:12: calendar \"moon\" must be \"cn\" (State Council schedule, provisional beyond its notices), \"cn-official\" (the notices only: dates beyond them are unknown) or \"mon-fri\"",
            "5:6: `id` must be text in quotes, e.g. id = \"…\"",
        ]
    );
}

#[test]
fn a_manifest_can_be_the_contract() {
    let text = "schema-version = 1\n\n[contract]\nid = \"HT-9\"\n\n\
                [[module]]\nid = \"register\"\nname = \"门诊挂号\"\npaths = [\"his/reg/**\"]\n\n\
                [[module]]\nid = \"emr\"\nname = \"电子病历\"\npaths = [\"emr/**\"]\nmin-source-files = 3\n";
    let f = parse(text).unwrap();
    assert!(f.from_manifest);
    assert_eq!(
        names(&f),
        [
            ("门诊挂号", vec!["register"], 8),
            ("电子病历", vec!["emr"], 13)
        ]
    );
    assert_eq!(
        f.contract_toml.as_deref(),
        Some("[contract]\nid = \"HT-9\"\n")
    );
    // A manifest's [[module]] without a name is named as the problem.
    let p = problems("schema-version = 1\n[[module]]\nid = \"x\"\n");
    assert_eq!(p, ["2:1: this [[module]] has no `name`"]);
}

#[test]
fn load_names_the_file_in_each_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("contract.toml");
    std::fs::write(&path, "modules = []\n[contract]\nnumber = \"1\"\n").unwrap();
    let err = load(&path).unwrap_err();
    let ContractError::Invalid { problems, .. } = &err else {
        panic!("{err:?}")
    };
    let shown = path.display().to_string();
    assert_eq!(problems.len(), 2);
    assert!(
        problems[0].starts_with(&format!("{shown}:1:11: `modules` is empty")),
        "{problems:?}"
    );
    assert!(
        problems[1].starts_with(&format!("{shown}:3:1: unknown key `number`")),
        "{problems:?}"
    );
    assert_eq!(err.to_string(), problems.join("\n"));
    // A file saved as GBK by an older Windows editor is read.
    let (gbk, _, _) = encoding_rs::GBK.encode("modules = [\"门诊挂号\"]\n");
    std::fs::write(&path, &gbk).unwrap();
    assert_eq!(load(&path).unwrap().modules[0].name, "门诊挂号");
    // A missing file says so.
    let missing = dir.path().join("none.toml");
    assert!(matches!(load(&missing), Err(ContractError::Read { .. })));
}

#[test]
fn weak_reasons_stay_low() {
    // "order" (医嘱) inside "recorder": a word inside a longer word is weak evidence.
    let got = outcome(&contracted(&["医嘱"]), &[module("recorder", &[])]);
    assert_eq!(got[0].2, Confidence::Low);
    let got = outcome(&contracted(&["医嘱"]), &[module("order-entry", &[])]);
    assert_eq!(got[0].2, Confidence::Medium);
    // A description naming many functions is weaker evidence for each than a short name.
    let listing = "医院信息系统，包括门诊、住院、药房、医嘱与收费";
    let r = map(&contracted(&["医嘱"]), &[module("his", &[listing])]);
    assert_eq!(r[0].confidence, Confidence::Low);
    let r = map(&contracted(&["医嘱"]), &[module("his", &["医嘱录入"])]);
    assert!((r[0].score - 0.85).abs() < 1e-9, "{}", r[0].score);
    // "system" alone is not system administration.
    let got = outcome(&contracted(&["系统管理"]), &[module("lis-system", &[])]);
    assert_eq!(got[0].2, Confidence::None);
    let got = outcome(&contracted(&["系统管理"]), &[module("sys-admin", &[])]);
    assert_eq!(got[0].2, Confidence::Medium);
}

#[test]
fn the_distinguishing_term_counts_more_than_the_connecting_one() {
    // 医保接口 (insurance interface): "yb" (医保) beats another module's interface.
    let c = contracted(&["医保接口"]);
    let m = [
        module("his/his-register-api", &["挂号管理接口"]),
        module("yb", &[]),
    ];
    assert_eq!(outcome(&c, &m)[0].1.as_deref(), Some("yb"));
}

#[test]
fn a_compound_term_is_found_by_the_terms_inside_it() {
    // 医学影像 is one glossary term; a PACS module named 影像归档与通信系统 still matches it.
    let r = map(
        &contracted(&["医学影像"]),
        &[module("yxgd", &["影像归档与通信系统"])],
    );
    assert_eq!(r[0].confidence, Confidence::Medium);
    assert_eq!(
        r[0].why,
        "\"影像\" (for \"医学影像\") is in the build-file name \"影像归档与通信系统\""
    );
    assert_eq!(r[0].why_zh, "构建文件中的名称“影像归档与通信系统”含“影像”");
}

#[test]
fn toml_slips_are_said_plainly() {
    assert_eq!(
        problems("modules = [\"门诊挂号\"]\n[contract]\ntitle = 某医院\n"),
        [
            "3:9: text must be in straight double quotes, e.g. title = \"某医院\" or modules = [\"门诊挂号\"]"
        ]
    );
    assert_eq!(
        problems("modules = [\"门诊挂号\"\n"),
        ["1:18: this list is not closed: end it with ], after the last name"]
    );
    assert_eq!(
        problems("modules = [\"a\"]\n[contract\n"),
        ["2:10: this table name is not closed: write it as [contract]"]
    );
    assert_eq!(
        problems("modules = [\"a\"]\nmodules = [\"b\"]\n"),
        ["2:1: `modules` is written twice: keep one"]
    );
}

#[test]
fn a_station_is_found_by_its_staff() {
    // 门诊医生站 against a folder naming the setting and the staff only.
    let got = outcome(&contracted(&["门诊医生站"]), &[module("opd-doctor", &[])]);
    assert_eq!(got[0].2, Confidence::Medium);
    // A lone character outside the glossary (室) does not sink a match either.
    let got = outcome(&contracted(&["病理室"]), &[module("pathology", &[])]);
    assert_eq!(got[0].2, Confidence::Medium);
}
