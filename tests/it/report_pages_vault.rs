//! The vault documents' printable pages through the real CLI: the deposit receipt (托管回执)
//! of a first deposit and of an update, built from the documents the commands give, and the
//! `md`/`html` output of deposit, show, diff, audit and list.

use std::path::{Path, PathBuf};

use escrow::report::docs::{DepositDoc, ShowDoc};
use escrow::report::page::{Block, Chart, Page};
use escrow::report::{Document, Lang};

use crate::common::{Run, at, chaoyang, repo, sample};

const FIRST: &str = "2026-03-10T09:00:00Z";
const UPDATE: &str = "2026-04-01T02:00:00Z";

fn update_delivery() -> PathBuf {
    repo().join("fixtures/deliveries/his-update-v2.4")
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `escrow deposit DELIVERY -m chaoyang-his.toml -l LABEL EXTRA…` at `now`.
fn deposit(vault: &Path, delivery: &Path, label: &str, now: &str, extra: &[&str]) -> Run {
    let manifest = chaoyang();
    let mut args = vec!["deposit", p(delivery), "-m", p(&manifest), "-l", label];
    args.extend(extra);
    at(now, vault, &args)
}

fn parse<T: serde::de::DeserializeOwned>(r: &Run) -> T {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}\n{}\n{}", r.stdout, r.stderr))
}

/// Every string of a page, one per line.
fn text(page: &Page) -> String {
    let mut out: Vec<String> = vec![page.title.clone(), page.footer.clone()];
    for b in &page.blocks {
        match b {
            Block::Heading { text, .. } => out.push(text.clone()),
            Block::Paragraph(t) => out.push(t.text.clone()),
            Block::Verdict {
                headline, detail, ..
            } => out.extend([headline.clone(), detail.clone()]),
            Block::Fields(fs) => out.extend(fs.iter().map(|f| f.value.text.clone())),
            Block::Table(t) => {
                for r in &t.rows {
                    out.extend(r.iter().map(|c| c.text.clone()));
                }
            }
            Block::List { items, .. } => out.extend(items.iter().map(|i| i.text.clone())),
            Block::Code(c) => out.push(c.clone()),
            Block::Chart(_) | Block::Signatures(_) => {}
        }
    }
    out.join("\n")
}

/// A vault with the sample deposited as v2.3 and the failing update as v2.4, and their
/// deposit documents.
fn two_deposits(vault: &Path) -> (DepositDoc, DepositDoc) {
    let first = deposit(vault, &sample(), "v2.3", FIRST, &["--format", "json"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let update = deposit(
        vault,
        &update_delivery(),
        "v2.4",
        UPDATE,
        &["--format", "json"],
    );
    assert_eq!(
        update.code, 1,
        "the update fails its check: {}",
        update.stderr
    );
    (parse(&first), parse(&update))
}

#[test]
fn the_receipt_carries_the_digests_the_vault_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = tmp.path().join("vault");
    let (first, _) = two_deposits(&vault);
    let show: ShowDoc = parse(&at(FIRST, &vault, &["show", "v2.3", "--format", "json"]));
    assert_eq!(first.snapshot, show.snapshot);
    assert_eq!(
        first.snapshot_sm3.as_deref(),
        Some(show.ledger.snapshot_sm3.as_str())
    );
    assert_eq!(
        first.report.delivery.digest_sm3.as_deref(),
        Some(show.record.tree.sm3.as_str())
    );
    assert_eq!(first.report.delivery.digest, show.record.tree.sha256);
    let zh = first.page(Lang::Zh).expect("a receipt");
    assert_eq!(zh.title, "源代码托管回执");
    let t = text(&zh);
    for want in [
        show.snapshot.as_str(),
        show.ledger.snapshot_sm3.as_str(),
        show.record.tree.sha256.as_str(),
        show.record.tree.sm3.as_str(),
        first.ledger_head.as_str(),
        "2026-03-10 17:00（UTC+8 北京时间）",
        "已托管——检查通过",
    ] {
        assert!(t.contains(want), "{want} in\n{t}");
    }
    let en = text(&first.page(Lang::En).unwrap());
    assert!(
        en.contains("2026-03-10 17:00 (UTC+8, China Standard Time)"),
        "{en}"
    );
}

#[test]
fn the_update_receipt_charts_findings_added_and_resolved() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = tmp.path().join("vault");
    let (_, update) = two_deposits(&vault);
    let since = update.findings_since.as_ref().expect("compared with v2.3");
    let zh = update.page(Lang::Zh).unwrap();
    let bars = zh
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Chart(Chart::Bars { legend, rows, .. }) if legend[0].0 == "新增" => Some(rows),
            _ => None,
        })
        .expect("the findings chart");
    let added: u64 = bars.iter().map(|r| r.values[0]).sum();
    let resolved: u64 = bars.iter().map(|r| r.values[1]).sum();
    assert_eq!(added, since.new);
    assert_eq!(resolved, since.resolved.len() as u64);
    assert!(added > 0, "the failing update brings new findings");
    let t = text(&zh);
    assert!(t.contains("已托管——检查不通过"), "{t}");
    assert!(
        t.contains(&format!("新增 {} 个，已解决 {resolved} 个", since.new)),
        "{t}"
    );
    let d = update.diff.as_ref().expect("a diff");
    let files = format!(
        "新增 {} 个，删除 {} 个，修改 {} 个，未变 {} 个文件",
        d.added, d.removed, d.modified, d.unchanged
    );
    assert!(t.contains(&files), "{files} in\n{t}");
}

#[test]
fn every_vault_command_writes_md_and_html() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = tmp.path().join("vault");
    two_deposits(&vault);
    let out = |name: &str| tmp.path().join(name);
    for format in ["md", "html"] {
        let file = out(&format!("receipt.{format}"));
        let r = deposit(
            &vault,
            &sample(),
            &format!("again-{format}"),
            UPDATE,
            &["--format", format, "--lang", "zh", "--output", p(&file)],
        );
        assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
        assert!(
            file.is_file(),
            "deposit --format {format} writes its receipt"
        );
        for (name, args) in [
            ("show", vec!["show", "v2.3"]),
            ("diff", vec!["diff", "v2.3", "v2.4"]),
            ("audit", vec!["audit"]),
            ("list", vec!["list"]),
        ] {
            let file = out(&format!("{name}.{format}"));
            let mut all = args.clone();
            all.extend(["--format", format, "--lang", "zh", "--output", p(&file)]);
            let r = at(UPDATE, &vault, &all);
            assert_eq!(r.code, 0, "{name} --format {format}: {}", r.stderr);
            assert!(file.is_file(), "{name} --format {format} writes a file");
        }
    }
}

/// The Markdown of the receipt and of `diff` (needs the Markdown renderer).
#[test]
fn markdown_receipt_and_diff_have_the_facts() {
    let tmp = tempfile::tempdir().unwrap();
    let vault = tmp.path().join("vault");
    let r = deposit(
        &vault,
        &sample(),
        "v2.3",
        FIRST,
        &["--format", "md", "--lang", "zh"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let show: ShowDoc = parse(&at(FIRST, &vault, &["show", "v2.3", "--format", "json"]));
    for want in [
        "源代码托管回执",
        show.record.tree.sha256.as_str(),
        show.record.tree.sm3.as_str(),
        "北京时间",
    ] {
        assert!(r.stdout.contains(want), "{want} in\n{}", r.stdout);
    }
    let u = deposit(&vault, &update_delivery(), "v2.4", UPDATE, &["-q"]);
    assert_eq!(u.code, 1, "{}", u.stderr);
    let d = at(
        UPDATE,
        &vault,
        &["diff", "v2.3", "v2.4", "--format", "md", "--lang", "zh"],
    );
    assert_eq!(d.code, 0, "{}", d.stderr);
    assert!(
        d.stdout.contains("按模块统计") && d.stdout.contains("| 模块"),
        "{}",
        d.stdout
    );
}
