//! The acceptance report (验收报告) and the letter to the vendor (整改通知) as pages: built
//! from a real check of the sample delivery, then checked for what a hospital files and
//! what a vendor will look for a false claim in.

use escrow::progress::NoProgress;
use escrow::report::check_page::{Reply, VaultRef, acceptance_page, letter_page};
use escrow::report::page::{Block, Page, Text, Tone};
use escrow::report::{Lang, Report, Verdict};

use crate::common;

/// The shipped update that fails (the README's failing example).
fn sample_report() -> Report {
    report_of("fixtures/deliveries/his-update-v2.4")
}

fn report_of(delivery: &str) -> Report {
    escrow::pipeline::check(
        &common::repo().join(delivery),
        &common::chaoyang(),
        "2026-09-29T02:00:00Z".to_owned(),
        &escrow::delivery::Ingest::default(),
        &NoProgress,
    )
    .expect("the sample checks")
}

fn headings(page: &Page, level: u8) -> Vec<String> {
    page.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level: l, text, .. } if *l == level => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// Every text of the page, one string (fields, tables, lists, paragraphs).
fn all_text(page: &Page) -> String {
    serde_json::to_string(page).unwrap()
}

fn tables(page: &Page) -> Vec<&escrow::report::page::Table> {
    page.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .collect()
}

#[test]
fn the_acceptance_report_has_the_contract_header_criteria_findings_identity_and_signatures() {
    let report = sample_report();
    assert_eq!(
        report.verdict,
        Verdict::Fail,
        "the sample has deny findings"
    );
    let page = acceptance_page(&report, Lang::Zh, None);
    assert_eq!(page.title, "源代码交付验收报告");
    let h1 = headings(&page, 1);
    assert_eq!(h1.first().map(String::as_str), Some("一、验收结论"));
    assert!(
        h1.last().unwrap().ends_with("项目验收单"),
        "the signature form comes last: {h1:?}"
    );
    // The form starts on its own printed page.
    assert!(page.blocks.iter().any(|b| matches!(
        b,
        Block::Heading { text, new_page: true, .. } if text.ends_with("项目验收单")
    )));
    // The contract header: the manifest's fields, blank (to fill in) where it says nothing.
    let Block::Fields(header) = &page.blocks[0] else {
        panic!("the page opens with the contract fields")
    };
    let field = |label: &str| {
        header
            .iter()
            .find(|f| f.label == label)
            .map(|f| f.value.text.clone())
    };
    assert_eq!(
        field("合同编号").as_deref(),
        report.contract.id.as_deref(),
        "contract id"
    );
    assert_eq!(field("甲方").as_deref(), report.contract.client.as_deref());
    assert_eq!(field("乙方").as_deref(), report.contract.vendor.as_deref());
    assert_eq!(
        field("合同日期").as_deref(),
        Some(""),
        "left blank to write in"
    );
    // The verdict box says FAIL in words and in tone.
    assert!(page.blocks.iter().any(|b| matches!(
        b,
        Block::Verdict { headline, tone: Tone::Bad, .. } if headline == "不通过"
    )));
    // Criteria ①–④, one row each; ② is not verified without a build, and says so.
    let criteria = tables(&page)
        .into_iter()
        .find(|t| t.caption.as_deref() == Some("验收标准"))
        .expect("criteria table");
    let names: Vec<&str> = criteria.rows.iter().map(|r| r[0].text.as_str()).collect();
    assert_eq!(
        names,
        [
            "① 源代码完整性",
            "② 可运行性",
            "③ 无技术壁垒",
            "④ 文档完整性"
        ]
    );
    // ② was not built, but a build file no tool can read fails it all the same.
    assert_eq!(criteria.rows[1][1].text, "不符合");
    assert!(criteria.rows[1][2].text.contains("本次未进行编译验证"));
    // ③ found nothing: "none found", never a claim that there is none.
    assert_eq!(criteria.rows[2][1].text, "未发现");
    // Every deny finding's code is listed, under the heading of its criterion.
    let text = all_text(&page);
    for f in &report.findings {
        assert!(text.contains(&f.code), "{} is in the report", f.code);
    }
    // The identity: both digests in full.
    assert!(text.contains(&report.delivery.digest));
    assert!(text.contains(report.delivery.digest_sm3.as_deref().unwrap()));
    assert!(text.contains("本次检查的交付物尚未存入托管库"));
    // The signature block: both parties, named.
    let Some(Block::Signatures(parties)) = page.blocks.last() else {
        panic!("the page ends with the signatures")
    };
    assert_eq!(parties.len(), 2);
    assert_eq!(parties[0].name, report.contract.client);
    assert_eq!(parties[1].name, report.contract.vendor);
}

#[test]
fn findings_are_grouped_under_their_criterion() {
    let report = sample_report();
    let page = acceptance_page(&report, Lang::En, None);
    // Walk the page: each findings table belongs to the last level-2 heading before it.
    let mut under = String::new();
    let mut seen = 0;
    for b in &page.blocks {
        match b {
            Block::Heading { level: 2, text, .. } => under.clone_from(text),
            Block::Table(t) if t.header.first().map(String::as_str) == Some("Level") => {
                for row in &t.rows {
                    let code = row[1]
                        .text
                        .lines()
                        .last()
                        .unwrap()
                        .split(' ')
                        .next()
                        .unwrap();
                    let criterion = escrow::codes::finding(code).unwrap().criterion;
                    let mark = criterion.chars().next().unwrap();
                    assert!(
                        under.starts_with(mark),
                        "{code} ({criterion}) listed under {under:?}"
                    );
                    seen += 1;
                }
            }
            _ => {}
        }
    }
    assert!(seen > 0, "the sample has findings to group");
}

#[test]
fn a_deposited_report_names_its_snapshot_and_ledger_head() {
    let report = sample_report();
    let vault = VaultRef {
        label: "v2.3".to_owned(),
        snapshot: "ab".repeat(32),
        seq: 4,
        ledger_head: "cd".repeat(32),
    };
    let text = all_text(&acceptance_page(&report, Lang::Zh, Some(&vault)));
    assert!(text.contains(&"ab".repeat(32)));
    assert!(text.contains(&"cd".repeat(32)));
    assert!(!text.contains("本次检查的交付物尚未存入托管库"));
}

#[test]
fn the_letter_lists_only_what_must_be_fixed_with_its_clause_and_reply_date() {
    let mut report = sample_report();
    report.contract.clauses = Some(escrow::report::ClausesInfo {
        completeness: Some("第五条第1款".to_owned()),
        support: Some("第八条".to_owned()),
        ..Default::default()
    });
    let reply = Reply {
        from: "2026-09-29".to_owned(),
        due: "2026-10-09".to_owned(),
        deadline: "3 working days".to_owned(),
        provisional: false,
    };
    let page = letter_page(&report, Lang::Zh, &reply);
    assert_eq!(page.title, "源代码交付整改通知");
    let items: Vec<&Text> = page
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::List {
                ordered: true,
                items,
            } => Some(items.iter().collect()),
            _ => None,
        })
        .expect("numbered items");
    let deny: std::collections::BTreeSet<&str> = report
        .findings
        .iter()
        .filter(|f| f.severity == escrow::finding::Severity::Deny)
        .map(|f| f.code.as_str())
        .collect();
    let warn_only: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| !deny.contains(f.code.as_str()))
        .map(|f| f.code.as_str())
        .collect();
    let meaning = |code: &str| escrow::codes::finding(code).unwrap().meaning_zh;
    for code in &deny {
        assert!(
            items.iter().any(|i| i.text.contains(meaning(code))),
            "{code} is an item"
        );
    }
    for code in warn_only {
        assert!(
            !items.iter().any(|i| i.text.contains(meaning(code))),
            "{code} is only a warning: not in the letter"
        );
    }
    assert_eq!(items.len(), deny.len(), "one item per kind of deny finding");
    for i in &items {
        assert!(i.text.starts_with("【依据：验收标准"), "{}", i.text);
        // Addressed to the vendor, not to the hospital ("要求供应商…" turned into "请贵方…").
        assert!(!i.text.contains("请要求供应商"), "{}", i.text);
        assert!(
            !i.text.lines().last().unwrap().contains("要求供应商"),
            "{}",
            i.text
        );
        assert!(
            i.text.lines().last().unwrap().starts_with("请贵方")
                || i.text.lines().last().unwrap().starts_with("处理要求："),
            "{}",
            i.text
        );
        if i.text.starts_with("【依据：验收标准① ") {
            assert!(i.text.contains("合同第五条第1款"), "{}", i.text);
        }
    }
    let text = all_text(&page);
    assert!(
        text.contains("依据合同第八条（3 个工作日内答复）"),
        "{text}"
    );
    assert!(text.contains("2026年10月9日（含当日）"), "{text}");
    // A folder delivery is named by escrow's tree digest, said to be escrow's.
    assert!(
        text.contains("目录树摘要（SHA-256，escrow 按全部文件计算）"),
        "{text}"
    );
    assert!(text.contains(&report.delivery.digest));
    // The letter opens with the vendor's name, as a Chinese letter does.
    let vendor = report.contract.vendor.clone().unwrap();
    assert!(page.blocks.iter().any(|b| matches!(
        b,
        Block::Paragraph(t) if t.text == format!("{vendor}：")
    )));
}

#[test]
fn the_signed_form_repeats_what_was_not_verified_and_names_the_delivery() {
    let report = report_of("fixtures/deliveries/his-sample");
    let page = acceptance_page(&report, Lang::Zh, None);
    let form = page
        .blocks
        .iter()
        .rev()
        .find_map(|b| match b {
            Block::Fields(f) => Some(f),
            _ => None,
        })
        .unwrap();
    let value = |label: &str| {
        form.iter()
            .find(|f| f.label == label)
            .map(|f| f.value.text.clone())
            .unwrap_or_default()
    };
    assert!(
        value("概况").contains("检查结论：通过"),
        "{}",
        value("概况")
    );
    assert!(value("概况").contains("标准②待验证"), "{}", value("概况"));
    assert!(value("所验交付物").contains(&report.delivery.digest));
    assert!(value("主要任务").contains("京通"), "{}", value("主要任务"));
}

#[test]
fn a_passing_delivery_reads_pass_and_its_letter_has_nothing_to_ask() {
    let report = report_of("fixtures/deliveries/his-sample");
    assert_eq!(report.verdict, Verdict::Pass);
    let page = acceptance_page(&report, Lang::En, None);
    assert!(page.blocks.iter().any(|b| matches!(
        b,
        Block::Verdict { headline, tone: Tone::Good, detail } if headline == "PASS"
            && detail.contains("Buildability (②) was not verified")
    )));
    let criteria = tables(&page)
        .into_iter()
        .find(|t| t.caption.as_deref() == Some("Acceptance criteria"))
        .expect("criteria table");
    assert_eq!(criteria.rows[1][1].text, "not verified");
    assert_eq!(criteria.rows[0][1].text, "met");
    let reply = Reply {
        from: "2026-09-29".to_owned(),
        due: "2026-10-09".to_owned(),
        deadline: "3 working days".to_owned(),
        provisional: true,
    };
    let letter = letter_page(&report, Lang::En, &reply);
    assert!(
        !letter
            .blocks
            .iter()
            .any(|b| matches!(b, Block::List { .. }))
    );
    let text = all_text(&letter);
    assert!(text.contains("the check found nothing the vendor must deliver or fix"));
    assert!(text.contains("has not yet published"), "provisional said");
}

/// `escrow check --letter` through the CLI: the reply date is the contract's answer deadline
/// (3 working days by default) counted in the Chinese calendar from the day of the check.
#[test]
fn the_letter_counts_the_reply_date_in_working_days_over_national_day() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("整改通知.md");
    let delivery = common::repo().join("fixtures/deliveries/his-update-v2.4");
    let mut cmd = common::escrow_command();
    // 10:00 in Beijing on Tuesday 2026-09-29: Sep 30 works, Oct 1–7 rest, Oct 8 and 9 work.
    cmd.env("ESCROW_NOW", "2026-09-29T02:00:00Z").args([
        "check".as_ref(),
        delivery.as_os_str(),
        "--manifest".as_ref(),
        common::chaoyang().as_os_str(),
        "--letter".as_ref(),
        "--format".as_ref(),
        "md".as_ref(),
        "--lang".as_ref(),
        "zh".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    let run = common::run(cmd);
    assert_eq!(run.code, 1, "the delivery fails: {}", run.stderr);
    assert!(
        run.stderr.contains("reply due 2026-10-09"),
        "{}",
        run.stderr
    );
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.starts_with("# 源代码交付整改通知"), "{md}");
    assert!(
        md.contains("请贵方于2026年10月9日（含当日）前书面答复"),
        "{md}"
    );
    assert!(md.contains("1. 【依据：验收标准① 源代码完整性】"), "{md}");

    // A letter is for people: asked for as JSON it is refused, and nothing is written.
    let refused = dir.path().join("letter.json");
    let run = common::escrow([
        "check".as_ref(),
        delivery.as_os_str(),
        "--manifest".as_ref(),
        common::chaoyang().as_os_str(),
        "--letter".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "-o".as_ref(),
        refused.as_os_str(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--letter"), "{}", run.stderr);
    assert!(!refused.exists());

    // A delivery with nothing to remedy gets no letter demanding a reply.
    let none = dir.path().join("none.md");
    let run = common::escrow([
        "check".as_ref(),
        common::sample().as_os_str(),
        "--manifest".as_ref(),
        common::chaoyang().as_os_str(),
        "--letter".as_ref(),
        "--format".as_ref(),
        "md".as_ref(),
        "-o".as_ref(),
        none.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("不生成整改通知"), "{}", run.stderr);
    assert!(!none.exists());
}

/// `--output` never destroys what it must not: the archive delivered, the manifest, the
/// vault; a device is written into, not replaced; a planted link at a temporary name is not
/// followed (the temporary file has a random name and is created exclusively).
#[test]
fn output_never_replaces_the_evidence_the_manifest_a_device_or_the_vault() {
    let dir = tempfile::tempdir().unwrap();
    // An archive delivery: `-o` naming the archive itself is refused, the archive unchanged.
    let zip = dir.path().join("delivery.zip");
    let status = std::process::Command::new("zip")
        .current_dir(common::sample())
        .args(["-qr", zip.to_str().unwrap(), "."])
        .status()
        .expect("zip runs");
    assert!(status.success());
    let before = std::fs::read(&zip).unwrap();
    let run = common::escrow([
        "check".as_ref(),
        zip.as_os_str(),
        "--manifest".as_ref(),
        common::chaoyang().as_os_str(),
        "--format".as_ref(),
        "html".as_ref(),
        "-o".as_ref(),
        zip.as_os_str(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("overwrite the delivery"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read(&zip).unwrap(),
        before,
        "the evidence is unchanged"
    );

    // The manifest is not replaced by the report.
    let manifest = dir.path().join("m.toml");
    std::fs::copy(common::chaoyang(), &manifest).unwrap();
    let run = common::escrow([
        "check".as_ref(),
        common::sample().as_os_str(),
        "--manifest".as_ref(),
        manifest.as_os_str(),
        "--format".as_ref(),
        "md".as_ref(),
        "-o".as_ref(),
        manifest.as_os_str(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        std::fs::read(&manifest).unwrap(),
        std::fs::read(common::chaoyang()).unwrap()
    );

    // /dev/null stays a device: written into, never replaced by a file.
    let run = common::escrow([
        "check".as_ref(),
        common::sample().as_os_str(),
        "--manifest".as_ref(),
        common::chaoyang().as_os_str(),
        "--format".as_ref(),
        "html".as_ref(),
        "-o".as_ref(),
        "/dev/null".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(
        std::os::unix::fs::FileTypeExt::is_char_device(&meta.file_type()),
        "/dev/null is still a device"
    );
}

/// `--output` inside a vault is refused; a link planted at a temporary name is not followed.
#[test]
fn output_never_writes_into_a_vault_or_through_a_planted_link() {
    let dir = tempfile::tempdir().unwrap();
    // Inside a vault: refused, the ledger intact.
    let vault = dir.path().join("vault");
    let run = deposit_sample("2026-09-29T02:00:00Z", &vault, &["-q"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let before = crate::vault::entries(&vault);
    assert_eq!(before.len(), 1);
    // Over the ledger's entry, or beside it as a new one: both refused.
    for seq in [0, 1] {
        let target = crate::vault::entry_path(&vault, seq);
        let run = common::at(
            "2026-09-29T03:00:00Z",
            &vault,
            &["list", "--format", "md", "-o", target.to_str().unwrap()],
        );
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("inside the escrow vault"),
            "{}",
            run.stderr
        );
        assert_eq!(crate::vault::entries(&vault), before);
    }

    // A link planted where a predictable temporary name would be is left alone, and so is
    // its target: the report goes to a new file with a random name, then renamed.
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "keep").unwrap();
    let out = dir.path().join("report.html");
    for pid in 0..64 {
        let _ =
            std::os::unix::fs::symlink(&victim, dir.path().join(format!(".report.html.tmp-{pid}")));
    }
    let run = common::escrow([
        "check".as_ref(),
        common::sample().as_os_str(),
        "--manifest".as_ref(),
        common::chaoyang().as_os_str(),
        "--format".as_ref(),
        "html".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("<!doctype html>")
    );
}

/// `deposit -q -o FILE` prints only the snapshot id and still writes the receipt asked for.
#[test]
fn a_quiet_deposit_still_writes_its_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    let receipt = dir.path().join("回执.md");
    let run = deposit_sample(
        "2026-09-29T02:00:00Z",
        &vault,
        &[
            "-q",
            "--format",
            "md",
            "--lang",
            "zh",
            "-o",
            receipt.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.trim().len(),
        64,
        "only the snapshot id: {}",
        run.stdout
    );
    let md = std::fs::read_to_string(&receipt).unwrap();
    assert!(md.starts_with("# 源代码托管回执"), "{md}");
    assert!(
        md.contains(run.stdout.trim()),
        "the receipt names the snapshot"
    );
}

/// `show SNAP --acceptance --format md`: the acceptance report of a deposited snapshot names
/// the snapshot, its ledger entry and the ledger head right after it (what `deposit` printed).
#[test]
fn a_deposited_snapshot_gives_its_acceptance_report_with_its_vault_identity() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    let run = deposit_sample("2026-09-29T02:00:00Z", &vault, &["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dep = run.json();
    let head = dep["ledger_head"].as_str().unwrap().to_owned();
    let snapshot = dep["snapshot"].as_str().unwrap().to_owned();
    // A later event moves the ledger head on; the report keeps the head of its own entry.
    let run = common::at(
        "2026-09-30T02:00:00Z",
        &vault,
        &["golive", "复诊续方", "--date", "2026-09-30"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = dir.path().join("验收报告.md");
    let run = common::at(
        "2026-10-01T02:00:00Z",
        &vault,
        &[
            "show",
            "v1",
            "--acceptance",
            "--format",
            "md",
            "--lang",
            "zh",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.starts_with("# 源代码交付验收报告"), "{md}");
    assert!(md.contains(&snapshot), "{md}");
    assert!(md.contains(&head), "the head after the deposit: {md}");
    assert!(!md.contains("尚未存入托管库"), "{md}");
    // Asked for as JSON it is refused.
    let run = common::at(
        "2026-10-01T02:00:00Z",
        &vault,
        &["show", "v1", "--acceptance", "--format", "json"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// `escrow deposit` of the sample as `v1` at `now`, with `extra` arguments.
fn deposit_sample(now: &str, vault: &std::path::Path, extra: &[&str]) -> common::Run {
    let sample = common::sample();
    let manifest = common::chaoyang();
    let mut args = vec![
        "deposit",
        sample.to_str().unwrap(),
        "--manifest",
        manifest.to_str().unwrap(),
        "--label",
        "v1",
    ];
    args.extend_from_slice(extra);
    common::at(now, vault, &args)
}

/// A link given to `--output` is written through (the link stays); a FIFO gets the report
/// without hanging; a deposit whose `--output` lies in the vault is refused before anything is
/// deposited; `--write-baseline` never replaces the manifest.
#[test]
fn output_through_links_and_fifos_and_refusals_before_anything_is_done() {
    let dir = tempfile::tempdir().unwrap();
    let check = |extra: &[&std::ffi::OsStr]| {
        let mut args: Vec<&std::ffi::OsStr> = vec![
            "check".as_ref(),
            "--manifest".as_ref(),
            common::chaoyang().into_os_string().leak(),
            common::sample().into_os_string().leak(),
        ];
        args.extend_from_slice(extra);
        common::escrow(args)
    };
    let target = dir.path().join("last-month.md");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("latest.md");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let run = check(&[
        "--format".as_ref(),
        "md".as_ref(),
        "-o".as_ref(),
        link.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(std::fs::read_to_string(&target).unwrap().starts_with("# "));

    let fifo = dir.path().join("pipe");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = std::process::Command::new("cat")
        .arg(&fifo)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let run = check(&[
        "--format".as_ref(),
        "md".as_ref(),
        "-o".as_ref(),
        fifo.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got = reader.wait_with_output().unwrap();
    assert!(
        String::from_utf8_lossy(&got.stdout).starts_with("# "),
        "the reader got it"
    );

    let manifest = dir.path().join("m.toml");
    std::fs::copy(common::chaoyang(), &manifest).unwrap();
    let run = common::escrow([
        "check".as_ref(),
        common::sample().as_os_str(),
        "--manifest".as_ref(),
        manifest.as_os_str(),
        "--write-baseline".as_ref(),
        manifest.as_os_str(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        std::fs::read(&manifest).unwrap(),
        std::fs::read(common::chaoyang()).unwrap()
    );

    let vault = dir.path().join("vault");
    assert_eq!(
        deposit_sample("2026-09-29T02:00:00Z", &vault, &["-q"]).code,
        0
    );
    let ledger = crate::vault::entries(&vault);
    assert_eq!(ledger.len(), 1);
    let inside = vault.join("receipt.md");
    let run = common::at(
        "2026-09-30T02:00:00Z",
        &vault,
        &[
            "deposit",
            common::sample().to_str().unwrap(),
            "--manifest",
            common::chaoyang().to_str().unwrap(),
            "--label",
            "v2",
            "--format",
            "md",
            "-o",
            inside.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(crate::vault::entries(&vault), ledger, "nothing deposited");
    assert!(!inside.exists());
}
