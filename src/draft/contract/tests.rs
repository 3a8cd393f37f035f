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
