//! The check report as a printable page: the acceptance report (验收报告) a hospital files
//! and signs, and the letter to the vendor (整改通知) that lists only what the vendor must
//! deliver or fix. Criteria and their order are the contract's acceptance criteria ①–④
//! (CONTRACT-NOTES.md, "验收标准"); the signature block has the fields of the contract's
//! acceptance form (项目验收单).

use super::page::{BarRow, Block, Chapters, Chart, Field, Page, Signatory, Table, Text, Tone};
use super::{BuildStatusInfo, ClausesInfo, Lang, Report, RequirementKindInfo, Verdict};
use crate::finding::{Finding, Severity};

/// Findings of one code listed with their places in the acceptance report; the JSON report
/// lists them all.
const PLACES_SHOWN: usize = 5;

/// Codes listed per criterion; the rest are counted in a note.
const GROUPS_SHOWN: usize = 60;

/// The snapshot a report was deposited as, when the page is made from the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultRef {
    /// The snapshot's label (`v2.4`).
    pub label: String,
    /// The snapshot id, 64 hex digits.
    pub snapshot: String,
    /// The ledger entry's sequence number.
    pub seq: u64,
    /// The ledger head after the deposit, 64 hex digits.
    pub ledger_head: String,
}

/// The reply a letter asks for: by when, and under which term of the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The day the letter counts from, `YYYY-MM-DD` (the check's day in China).
    pub from: String,
    /// The reply is due by the end of this day, `YYYY-MM-DD`.
    pub due: String,
    /// The contract's term as written (`3 working days`).
    pub deadline: String,
    /// The due date rests on holidays not yet announced by the State Council (see
    /// `calendar::provisional`).
    pub provisional: bool,
}

/// The acceptance criteria ①–④ of the contract, and findings that concern none of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Criterion {
    Completeness,
    Buildability,
    Barriers,
    Documentation,
    Other,
}

const CRITERIA: [Criterion; 4] = [
    Criterion::Completeness,
    Criterion::Buildability,
    Criterion::Barriers,
    Criterion::Documentation,
];

impl Criterion {
    fn of_code(code: &str) -> Criterion {
        match crate::codes::finding(code).and_then(|c| c.criterion.chars().next()) {
            Some('①') => Criterion::Completeness,
            Some('②') => Criterion::Buildability,
            Some('③') => Criterion::Barriers,
            Some('④') => Criterion::Documentation,
            _ => Criterion::Other,
        }
    }

    fn of_kind(kind: RequirementKindInfo) -> Criterion {
        match kind {
            RequirementKindInfo::Module => Criterion::Completeness,
            _ => Criterion::Documentation,
        }
    }

    fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Criterion::Completeness, Lang::Zh) => "① 源代码完整性",
            (Criterion::Buildability, Lang::Zh) => "② 可运行性",
            (Criterion::Barriers, Lang::Zh) => "③ 无技术壁垒",
            (Criterion::Documentation, Lang::Zh) => "④ 文档完整性",
            (Criterion::Other, Lang::Zh) => "其他",
            (Criterion::Completeness, Lang::En) => "① Completeness of the source",
            (Criterion::Buildability, Lang::En) => "② Buildability",
            (Criterion::Barriers, Lang::En) => "③ No technical barriers",
            (Criterion::Documentation, Lang::En) => "④ Completeness of the documentation",
            (Criterion::Other, Lang::En) => "Other",
        }
    }

    /// The contract's clause for the criterion, when the manifest names it.
    fn clause(self, clauses: Option<&ClausesInfo>) -> Option<&str> {
        let c = clauses?;
        match self {
            Criterion::Completeness => c.completeness.as_deref(),
            Criterion::Buildability => c.buildability.as_deref(),
            Criterion::Barriers => c.barriers.as_deref(),
            Criterion::Documentation => c.documentation.as_deref(),
            Criterion::Other => None,
        }
    }
}

fn l(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// `2026-03-01` as `2026年3月1日` (zh) or unchanged (en).
fn day_text(day: &str, lang: Lang) -> String {
    let parts: Vec<&str> = day.split('-').collect();
    match (lang, parts.as_slice()) {
        (Lang::Zh, [y, m, d]) => format!(
            "{y}年{}月{}日",
            m.trim_start_matches('0'),
            d.trim_start_matches('0')
        ),
        _ => day.to_owned(),
    }
}

fn severity_text(sev: Severity, lang: Lang) -> Text {
    let (en, zh, tone) = match sev {
        Severity::Deny => ("deny", "拒绝级", Tone::Bad),
        Severity::Warn => ("warn", "警告", Tone::Warn),
        Severity::Info => ("info", "提示", Tone::Plain),
    };
    Text::toned(l(lang, en, zh), tone)
}

/// The acceptance report (验收报告) of a check or build report; `vault` names the snapshot
/// when the report was deposited.
pub fn acceptance_page(report: &Report, lang: Lang, vault: Option<&VaultRef>) -> Page {
    let build_only = report.requirements.is_empty() && report.build.is_some();
    let title = if build_only {
        l(lang, "Isolated build report", "源代码隔离编译报告")
    } else {
        l(
            lang,
            "Source-code delivery acceptance report",
            "源代码交付验收报告",
        )
    };
    let mut page = page_for(report, lang, title);
    page.push(Block::Fields(contract_fields(report, lang)));
    let mut n = Chapters::new(lang);
    page.heading(1, n.title(l(lang, "Conclusion", "验收结论")));
    conclusion(&mut page, report, lang);
    if !build_only {
        page.heading(1, n.title(l(lang, "Requirements", "验收要求逐项核对")));
        requirements(&mut page, report, lang);
        documents(&mut page, report, lang);
    }
    if let Some(b) = &report.build {
        page.heading(1, n.title(l(lang, "Build", "编译验证")));
        build(&mut page, b, lang);
    }
    page.heading(
        1,
        n.title(l(lang, "Findings by criterion", "发现的问题（按验收标准）")),
    );
    findings(&mut page, report, lang);
    if let Some(u) = &report.uncovered
        && u.files > 0
    {
        page.heading(
            1,
            n.title(l(
                lang,
                "Source no requirement covers",
                "清单未覆盖的源代码",
            )),
        );
        uncovered(&mut page, u, lang);
    }
    page.heading(1, n.title(l(lang, "The delivery checked", "交付物信息")));
    page.push(Block::Fields(identity(report, lang, vault)));
    allowed(&mut page, report, lang);
    sign_off(&mut page, report, lang, &mut n);
    page
}

/// A page about a check report: its title, the project under it, the contract number in the
/// running head, the time of the check in the footer.
fn page_for(report: &Report, lang: Lang, title: &str) -> Page {
    let mut page = Page::new(lang, title);
    page.subtitle.clone_from(&report.contract.title);
    page.running_head = match &report.contract.id {
        Some(id) => format!("{title} · {id}"),
        None => title.to_owned(),
    };
    page.generated_at = Some(report.generated_at.clone());
    page.footer = format!(
        "escrow {} · {} {}",
        report.tool.version,
        l(lang, "checked", "检查时间"),
        super::cst_time(&report.generated_at, lang)
    );
    page
}

/// The form at the top: 项目名称, 合同编号, 合同日期, 甲方, 乙方 (blank when the manifest does
/// not say, to be filled in by hand), the delivery and the time of the check.
fn contract_fields(report: &Report, lang: Lang) -> Vec<Field> {
    let c = &report.contract;
    let opt = |v: &Option<String>| Text::plain(v.clone().unwrap_or_default());
    vec![
        Field::new(l(lang, "Project", "项目名称"), opt(&c.title)),
        Field::new(l(lang, "Contract no.", "合同编号"), opt(&c.id)),
        Field::new(
            l(lang, "Contract date", "合同日期"),
            c.date
                .as_deref()
                .map(|d| day_text(d, lang))
                .unwrap_or_default(),
        ),
        Field::new(l(lang, "Client (Party A)", "甲方"), opt(&c.client)),
        Field::new(l(lang, "Vendor (Party B)", "乙方"), opt(&c.vendor)),
        Field::new(
            l(lang, "Delivery", "交付物"),
            Text::mono(report.delivery.path.clone()),
        ),
        Field::new(
            l(lang, "Checked", "检查时间"),
            super::cst_time(&report.generated_at, lang),
        ),
    ]
}

/// Where one criterion stands, and why.
struct Standing {
    tone: Tone,
    word: &'static str,
    evidence: String,
}

fn counts_in(report: &Report, c: Criterion) -> (u64, u64, u64) {
    let mut n = (0, 0, 0);
    for f in report
        .findings
        .iter()
        .filter(|f| Criterion::of_code(&f.code) == c)
    {
        match f.severity {
            Severity::Deny => n.0 += 1,
            Severity::Warn => n.1 += 1,
            Severity::Info => n.2 += 1,
        }
    }
    n
}

/// Whether a requirement has a deny finding, and whether it has any other finding.
fn requirement_state(report: &Report, id: &str) -> (bool, bool) {
    let of = |sev: Option<Severity>| {
        report
            .findings
            .iter()
            .any(|f| f.requirement.as_deref() == Some(id) && sev.is_none_or(|s| f.severity == s))
    };
    (of(Some(Severity::Deny)), of(Some(Severity::Warn)))
}

/// Requirements of the criterion: (met, total), met meaning no deny finding (the verdict's
/// rule).
fn requirements_in(report: &Report, c: Criterion) -> (u64, u64) {
    let (met, _, total) = requirement_counts(report, c);
    (met, total)
}

/// Requirements of the criterion: (met, failing, total). Met as the JSON report counts it
/// (no finding at all); failing: a deny finding; the rest have warnings only.
fn requirement_counts(report: &Report, c: Criterion) -> (u64, u64, u64) {
    let of = report
        .requirements
        .iter()
        .filter(|r| Criterion::of_kind(r.kind) == c);
    let total = of.clone().count() as u64;
    let met = of
        .clone()
        .filter(|r| r.status == super::RequirementStatusInfo::Met)
        .count() as u64;
    let failing = of.filter(|r| requirement_state(report, &r.id).0).count() as u64;
    (met, failing, total)
}

fn findings_text(deny: u64, warn: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("拒绝级问题 {deny} 个，警告 {warn} 个"),
        Lang::En => format!("{deny} deny and {warn} warn findings"),
    }
}

fn standing(report: &Report, c: Criterion, lang: Lang) -> Standing {
    let (deny, warn, _) = counts_in(report, c);
    let (met, failing, total) = requirement_counts(report, c);
    let warned = total - met - failing;
    let verdict = |deny: u64, warn: u64, failing: u64| {
        if deny > 0 || failing > 0 {
            (Tone::Bad, l(lang, "not met", "不符合"))
        } else if warn > 0 || warned > 0 {
            (Tone::Warn, l(lang, "warnings", "有警告"))
        } else {
            (Tone::Good, l(lang, "met", "符合"))
        }
    };
    let found = findings_text(deny, warn, lang);
    match c {
        Criterion::Buildability => build_standing(report, deny, warn, lang),
        Criterion::Barriers if report.scan.is_none() => Standing {
            tone: Tone::Warn,
            word: l(lang, "not checked", "未检查"),
            evidence: l(
                lang,
                "the manifest switched the technical-barrier scan off",
                "清单关闭了技术壁垒扫描",
            )
            .to_owned(),
        },
        Criterion::Barriers => {
            let s = report.scan.as_ref().map_or(0, |s| s.files);
            // The scan looks for known kinds of barrier: finding none is not proof there is
            // none, so the page says "none found", not "met".
            let (tone, word) = match verdict(deny, warn, 0) {
                (Tone::Good, _) => (Tone::Good, l(lang, "none found", "未发现")),
                other => other,
            };
            let evidence = match lang {
                Lang::Zh => format!(
                    "扫描文件 {s} 个（加密、编码、混淆、无源码的编译产物、硬编码口令、后门特征）；{found}"
                ),
                Lang::En => format!(
                    "{s} files scanned (encryption, encoding, obfuscation, compiled code without source, hard-coded credentials, backdoor patterns); {found}"
                ),
            };
            Standing {
                tone,
                word,
                evidence,
            }
        }
        _ if total == 0 && deny + warn == 0 => Standing {
            tone: Tone::Warn,
            word: l(lang, "not checked", "未检查"),
            evidence: l(
                lang,
                "the manifest lists no requirement for it",
                "清单未列出此项要求",
            )
            .to_owned(),
        },
        _ => {
            let (tone, word) = verdict(deny, warn, failing);
            let evidence = match (lang, warned) {
                (Lang::Zh, 0) => format!("要求 {total} 项，满足 {met} 项；{found}"),
                (Lang::Zh, w) => {
                    format!("要求 {total} 项，满足 {met} 项，{w} 项仅有警告；{found}")
                }
                (Lang::En, 0) => format!("{met} of {total} requirements met; {found}"),
                (Lang::En, w) => {
                    format!("{met} of {total} requirements met, {w} with warnings only; {found}")
                }
            };
            Standing {
                tone,
                word,
                evidence,
            }
        }
    }
}

fn build_standing(report: &Report, deny: u64, warn: u64, lang: Lang) -> Standing {
    let Some(b) = &report.build else {
        let not_built = l(
            lang,
            "no build was run in this check (not verified)",
            "本次未进行编译验证",
        );
        // Findings about buildability (a build file no tool can read) stand without a build.
        if deny > 0 {
            return Standing {
                tone: Tone::Bad,
                word: l(lang, "not met", "不符合"),
                evidence: format!(
                    "{}{}{not_built}",
                    findings_text(deny, warn, lang),
                    l(lang, "; ", "；")
                ),
            };
        }
        return Standing {
            tone: Tone::Warn,
            word: l(lang, "not verified", "未验证"),
            evidence: not_built.to_owned(),
        };
    };
    let secs = b.duration_ms.div_ceil(1000);
    let (tone, word, what) = match (b.status, lang) {
        (BuildStatusInfo::Succeeded, Lang::Zh) => (
            Tone::Good,
            "符合",
            format!("离线沙箱中编译成功，用时 {secs} 秒"),
        ),
        (BuildStatusInfo::Succeeded, Lang::En) => (
            Tone::Good,
            "met",
            format!("built in the offline sandbox in {secs} s"),
        ),
        (BuildStatusInfo::Failed, Lang::Zh) => (Tone::Bad, "不符合", "编译失败".to_owned()),
        (BuildStatusInfo::Failed, Lang::En) => {
            (Tone::Bad, "not met", "the build failed".to_owned())
        }
        (BuildStatusInfo::TimedOut, Lang::Zh) => {
            (Tone::Bad, "不符合", "编译超时，已被终止".to_owned())
        }
        (BuildStatusInfo::TimedOut, Lang::En) => (
            Tone::Bad,
            "not met",
            "the build ran past its timeout and was stopped".to_owned(),
        ),
    };
    let (tone, word) = if tone == Tone::Good && deny > 0 {
        (Tone::Bad, l(lang, "not met", "不符合"))
    } else if tone == Tone::Good && warn > 0 {
        (Tone::Warn, l(lang, "warnings", "有警告"))
    } else {
        (tone, word)
    };
    Standing {
        tone,
        word,
        evidence: format!("{what}；{}", findings_text(deny, warn, lang))
            .replace('；', if lang == Lang::En { "; " } else { "；" }),
    }
}

/// The verdict box, the criteria table and the charts.
fn conclusion(page: &mut Page, report: &Report, lang: Lang) {
    let t = &report.totals;
    let (headline, tone) = match report.verdict {
        Verdict::Pass => (l(lang, "PASS", "通过"), Tone::Good),
        Verdict::Fail => (l(lang, "FAIL", "不通过"), Tone::Bad),
    };
    let mut detail = match (report.verdict, lang) {
        (Verdict::Fail, Lang::Zh) => format!(
            "拒绝级问题 {} 个，须乙方补交或整改后复验；警告 {} 个，提示 {} 个。",
            t.deny, t.warn, t.info
        ),
        (Verdict::Fail, Lang::En) => format!(
            "{} deny findings: the vendor must deliver or fix them before a re-check; {} warn, {} info.",
            t.deny, t.warn, t.info
        ),
        (Verdict::Pass, Lang::Zh) => format!(
            "无拒绝级问题；警告 {} 个，提示 {} 个，请逐项查看。",
            t.warn, t.info
        ),
        (Verdict::Pass, Lang::En) => format!(
            "No deny findings; {} warn and {} info findings to look at.",
            t.warn, t.info
        ),
    };
    if report.build.is_none() {
        detail.push_str(not_built(report, lang));
    }
    page.push(Block::Verdict {
        headline: headline.to_owned(),
        detail,
        tone,
    });
    let rows = CRITERIA
        .iter()
        .map(|&c| {
            let s = standing(report, c, lang);
            vec![
                Text::strong(c.label(lang)),
                Text::toned(s.word, s.tone),
                Text::plain(s.evidence),
            ]
        })
        .collect();
    page.push(Block::Table(Table {
        caption: Some(l(lang, "Acceptance criteria", "验收标准").to_owned()),
        header: vec![
            l(lang, "Criterion", "标准").to_owned(),
            l(lang, "Result", "结论").to_owned(),
            l(lang, "Evidence", "依据").to_owned(),
        ],
        widths: vec![3, 2, 7],
        rows,
        note: None,
    }));
    charts(page, report, lang);
}

fn charts(page: &mut Page, report: &Report, lang: Lang) {
    if !report.requirements.is_empty() {
        let rows = [Criterion::Completeness, Criterion::Documentation]
            .iter()
            .map(|&c| {
                let (met, failing, total) = requirement_counts(report, c);
                BarRow {
                    label: c.label(lang).to_owned(),
                    values: vec![met, total - met - failing, failing],
                }
            })
            .collect();
        page.push(Block::Chart(Chart::Bars {
            title: l(lang, "Requirements met per criterion", "各标准要求满足情况").to_owned(),
            legend: vec![
                (l(lang, "met", "满足").to_owned(), Tone::Good),
                (l(lang, "warnings only", "仅有警告").to_owned(), Tone::Warn),
                (l(lang, "not met", "未满足").to_owned(), Tone::Bad),
            ],
            rows,
        }));
    }
    if !report.findings.is_empty() {
        let rows = CRITERIA
            .iter()
            .chain(std::iter::once(&Criterion::Other))
            .filter_map(|&c| {
                let (d, w, i) = counts_in(report, c);
                (c != Criterion::Other || d + w + i > 0).then(|| BarRow {
                    label: c.label(lang).to_owned(),
                    values: vec![d, w, i],
                })
            })
            .collect();
        page.push(Block::Chart(Chart::Bars {
            title: l(lang, "Findings per criterion", "各标准发现的问题").to_owned(),
            legend: vec![
                (l(lang, "deny", "拒绝级").to_owned(), Tone::Bad),
                (l(lang, "warn", "警告").to_owned(), Tone::Warn),
                (l(lang, "info", "提示").to_owned(), Tone::Plain),
            ],
            rows,
        }));
    }
}

fn requirements(page: &mut Page, report: &Report, lang: Lang) {
    let rows = report
        .requirements
        .iter()
        .map(|r| {
            // As the verdict counts: only a deny finding leaves a requirement unmet; one with
            // warnings only is shown as such ("! warnings" in the terminal report).
            let status = match requirement_state(report, &r.id) {
                (true, _) => Text::toned(l(lang, "not met", "未满足"), Tone::Bad),
                (false, true) => Text::toned(
                    l(lang, "warnings (do not fail)", "有警告（不影响结论）"),
                    Tone::Warn,
                ),
                (false, false) => Text::toned(l(lang, "met", "满足"), Tone::Good),
            };
            let kind = match lang {
                Lang::Zh => r.kind.zh(),
                Lang::En => r.kind.as_str(),
            };
            vec![
                Text::plain(
                    Criterion::of_kind(r.kind)
                        .label(lang)
                        .chars()
                        .next()
                        .map(String::from)
                        .unwrap_or_default(),
                ),
                Text::plain(kind),
                Text::plain(match lang {
                    Lang::Zh => r.name.clone(),
                    Lang::En => format!("{} ({})", r.name, r.id),
                }),
                status,
                Text::plain(match lang {
                    Lang::Zh => r.evidence_zh.clone(),
                    Lang::En => r.evidence.clone(),
                }),
            ]
        })
        .collect::<Vec<_>>();
    if rows.is_empty() {
        page.para(l(
            lang,
            "The manifest lists no requirements.",
            "清单未列出任何要求。",
        ));
        return;
    }
    page.push(Block::Table(Table {
        caption: None,
        header: vec![
            l(lang, "Crit.", "标准").to_owned(),
            l(lang, "Kind", "类别").to_owned(),
            l(lang, "Requirement", "要求").to_owned(),
            l(lang, "Result", "结论").to_owned(),
            l(lang, "Evidence", "依据").to_owned(),
        ],
        widths: vec![2, 2, 4, 2, 6],
        rows,
        note: None,
    }));
}

/// What the documents' text says: one row per cross-check (which items of the code each
/// document names).
fn documents(page: &mut Page, report: &Report, lang: Lang) {
    let mut rows = Vec::new();
    for r in &report.requirements {
        for c in &r.cross_checks {
            let what = match (c.covers.as_str(), lang) {
                ("tables", Lang::Zh) => "数据库表",
                ("dependencies", Lang::Zh) => "依赖库",
                ("endpoints", Lang::Zh) => "接口",
                ("build-tools", Lang::Zh) => "编译工具",
                (other, _) => other,
            };
            let tone = if c.percent >= c.min_percent {
                Tone::Good
            } else {
                Tone::Bad
            };
            let missing: Vec<&str> = c.missing.iter().take(5).map(String::as_str).collect();
            let more = c.missing.len().saturating_sub(5);
            let mut missing = missing.join(", ");
            if more > 0 {
                missing.push_str(&match lang {
                    Lang::Zh => format!(" 等，另 {more} 项"),
                    Lang::En => format!(", and {more} more"),
                });
            }
            rows.push(vec![
                Text::plain(match lang {
                    Lang::Zh => r.name.clone(),
                    Lang::En => format!("{} ({})", r.name, r.id),
                }),
                Text::plain(what),
                Text::toned(
                    format!(
                        "{}/{}（{}%，{} {}%）",
                        c.named,
                        c.items,
                        c.percent,
                        l(lang, "required", "要求"),
                        c.min_percent
                    ),
                    tone,
                ),
                Text::mono(missing),
            ]);
        }
    }
    if rows.is_empty() {
        return;
    }
    page.push(Block::Table(Table {
        caption: Some(
            l(
                lang,
                "What the documents name of what the code holds",
                "文档内容与代码核对",
            )
            .to_owned(),
        ),
        header: vec![
            l(lang, "Document", "文档").to_owned(),
            l(lang, "Checked for", "核对内容").to_owned(),
            l(lang, "Named", "已写明").to_owned(),
            l(lang, "Not named (first 5)", "未写明（前 5 项）").to_owned(),
        ],
        widths: vec![3, 2, 3, 5],
        rows,
        note: None,
    }));
}

fn build(page: &mut Page, b: &super::BuildInfo, lang: Lang) {
    let status = match b.status {
        BuildStatusInfo::Succeeded => Text::toned(l(lang, "succeeded", "成功"), Tone::Good),
        BuildStatusInfo::Failed => Text::toned(l(lang, "failed", "失败"), Tone::Bad),
        BuildStatusInfo::TimedOut => Text::toned(l(lang, "timed out", "超时"), Tone::Bad),
    };
    let mut fields = vec![
        Field::new(l(lang, "Result", "结果"), status),
        Field::new(
            l(lang, "Command", "编译命令"),
            Text::mono(b.command.clone()),
        ),
        Field::new(
            l(lang, "Folder", "编译目录"),
            Text::mono(if b.workdir.is_empty() {
                ".".to_owned()
            } else {
                b.workdir.clone()
            }),
        ),
        Field::new(
            l(lang, "Isolation", "隔离方式"),
            format!("{} — {}", b.isolation.as_str(), b.isolation_detail),
        ),
        Field::new(
            l(lang, "Network", "网络"),
            if b.network {
                l(lang, "allowed by the manifest", "清单允许联网")
            } else {
                l(lang, "none (offline)", "无（离线）")
            },
        ),
        Field::new(
            l(lang, "Time", "用时"),
            format!("{:.1} s", b.duration_ms as f64 / 1000.0),
        ),
    ];
    if let Some(code) = b.exit_code {
        fields.push(Field::new(
            l(lang, "Exit status", "退出码"),
            code.to_string(),
        ));
    }
    for t in b.toolchain.iter().take(8) {
        fields.push(Field::new(
            l(lang, "Toolchain", "工具链"),
            Text::mono(format!(
                "{}: {}",
                t.command,
                t.output.first().map_or("", String::as_str)
            )),
        ));
    }
    page.push(Block::Fields(fields));
    if !b.outputs.is_empty() {
        let rows = b
            .outputs
            .iter()
            .take(50)
            .map(|o| {
                vec![
                    Text::mono(o.path.clone()),
                    Text::plain(crate::checks::human_bytes(o.size)),
                    Text::mono(o.sha256.clone()),
                ]
            })
            .collect();
        page.push(Block::Table(Table {
            caption: Some(l(lang, "What the build made", "编译产物").to_owned()),
            header: vec![
                l(lang, "File", "文件").to_owned(),
                l(lang, "Size", "大小").to_owned(),
                "SHA-256".to_owned(),
            ],
            widths: vec![5, 2, 6],
            rows,
            note: (b.outputs.len() > 50).then(|| {
                format!(
                    "{} {}",
                    b.outputs.len() - 50,
                    l(lang, "more in the JSON report", "项见 JSON 报告")
                )
            }),
        }));
    }
}

/// Findings of one code (and severity) under one criterion.
struct Group<'a> {
    code: &'a str,
    severity: Severity,
    list: Vec<&'a Finding>,
}

fn groups_in(report: &Report, c: Criterion) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for f in report
        .findings
        .iter()
        .filter(|f| Criterion::of_code(&f.code) == c)
    {
        match groups
            .iter_mut()
            .find(|g| g.code == f.code && g.severity == f.severity)
        {
            Some(g) => g.list.push(f),
            None => groups.push(Group {
                code: &f.code,
                severity: f.severity,
                list: vec![f],
            }),
        }
    }
    groups
}

/// One finding as a line: where, what, marked when new.
fn place(f: &Finding, lang: Lang) -> String {
    let mut s = String::new();
    if f.new == Some(true) {
        s.push_str(l(lang, "[new] ", "[本次新出现] "));
    }
    match (&f.path, f.line) {
        (Some(p), Some(n)) => s.push_str(&format!("{p}:{n}: ")),
        (Some(p), None) if !f.message.contains(p.as_str()) => s.push_str(&format!("{p}: ")),
        _ => {}
    }
    s.push_str(match lang {
        Lang::Zh => &f.message_zh,
        Lang::En => &f.message,
    });
    s
}

fn group_places(g: &Group<'_>, lang: Lang) -> String {
    let mut lines: Vec<String> = g
        .list
        .iter()
        .take(PLACES_SHOWN)
        .map(|f| place(f, lang))
        .collect();
    if g.list.len() > PLACES_SHOWN {
        lines.push(match lang {
            Lang::Zh => format!("… 另有 {} 处，见 JSON 报告", g.list.len() - PLACES_SHOWN),
            Lang::En => format!("… {} more in the JSON report", g.list.len() - PLACES_SHOWN),
        });
    }
    lines.join("\n")
}

fn findings(page: &mut Page, report: &Report, lang: Lang) {
    if report.findings.is_empty() {
        page.para(l(lang, "No findings.", "未发现问题。"));
        return;
    }
    for c in CRITERIA.iter().chain(std::iter::once(&Criterion::Other)) {
        let groups = groups_in(report, *c);
        if groups.is_empty() {
            continue;
        }
        let n: usize = groups.iter().map(|g| g.list.len()).sum();
        page.heading(
            2,
            match lang {
                Lang::Zh => format!("{}（{n} 个）", c.label(lang)),
                Lang::En => format!("{} ({n})", c.label(lang)),
            },
        );
        let rows = groups
            .iter()
            .take(GROUPS_SHOWN)
            .map(|g| {
                let info = crate::codes::finding(g.code);
                let meaning = info.map_or("", |i| l(lang, i.meaning_en, i.meaning_zh));
                let ask = info.map_or("", |i| l(lang, i.ask_en, i.ask_zh));
                vec![
                    severity_text(g.severity, lang),
                    Text::plain(format!("{meaning}\n{} × {}", g.code, g.list.len())),
                    Text::plain(group_places(g, lang)),
                    Text::plain(ask),
                ]
            })
            .collect();
        page.push(Block::Table(Table {
            caption: None,
            header: vec![
                l(lang, "Level", "级别").to_owned(),
                l(lang, "Finding", "问题").to_owned(),
                l(lang, "Where", "位置与说明").to_owned(),
                l(lang, "What to ask the vendor", "处理建议").to_owned(),
            ],
            widths: vec![2, 4, 7, 4],
            rows,
            note: (groups.len() > GROUPS_SHOWN).then(|| match lang {
                Lang::Zh => format!(
                    "另有 {} 类问题未列出，见 JSON 报告",
                    groups.len() - GROUPS_SHOWN
                ),
                Lang::En => format!(
                    "{} more kinds of finding in the JSON report",
                    groups.len() - GROUPS_SHOWN
                ),
            }),
        }));
    }
}

fn uncovered(page: &mut Page, u: &super::UncoveredInfo, lang: Lang) {
    page.para(match lang {
        Lang::Zh => format!(
            "交付的 {} 个源代码文件中，有 {} 个（{}）不属于清单中的任何要求。请确认它们是否属于合同约定的模块。",
            u.source_files, u.files, crate::checks::human_bytes(u.bytes)
        ),
        Lang::En => format!(
            "Of {} source files delivered, {} ({}) belong to no requirement of the manifest. Ask whether they belong to a contracted module.",
            u.source_files, u.files, crate::checks::human_bytes(u.bytes)
        ),
    });
    let rows = u
        .folders
        .iter()
        .take(15)
        .map(|f| {
            let langs: Vec<String> = f
                .languages
                .iter()
                .take(3)
                .map(|x| format!("{} {}", x.language, x.files))
                .collect();
            vec![
                Text::mono(f.folder.clone()),
                Text::plain(f.files.to_string()),
                Text::plain(langs.join(", ")),
            ]
        })
        .collect();
    page.push(Block::Table(Table {
        caption: None,
        header: vec![
            l(lang, "Folder", "目录").to_owned(),
            l(lang, "Files", "文件数").to_owned(),
            l(lang, "Languages", "语言").to_owned(),
        ],
        widths: vec![6, 2, 4],
        rows,
        note: (u.folders.len() > 15).then(|| match lang {
            Lang::Zh => format!("另有 {} 个目录，见 JSON 报告", u.folders.len() - 15),
            Lang::En => format!("{} more folders in the JSON report", u.folders.len() - 15),
        }),
    }));
}

/// The delivery's identity: what exactly was checked, so both sides can later prove it.
fn identity(report: &Report, lang: Lang, vault: Option<&VaultRef>) -> Vec<Field> {
    let d = &report.delivery;
    let mut f = vec![
        Field::new(l(lang, "Delivery", "交付物"), Text::mono(d.path.clone())),
        Field::new(
            l(lang, "Kind", "形式"),
            match (d.source.kind.as_str(), lang) {
                ("dir", Lang::Zh) => "目录".to_owned(),
                ("archive", Lang::Zh) => {
                    format!("压缩包 {}", d.source.format.clone().unwrap_or_default())
                }
                ("git", Lang::Zh) => "git 仓库".to_owned(),
                (k, _) => format!("{k} {}", d.source.format.clone().unwrap_or_default())
                    .trim()
                    .to_owned(),
            },
        ),
        Field::new(
            l(lang, "Files", "文件数"),
            match lang {
                Lang::Zh => format!(
                    "{} 个文件，{} 个目录，共 {}（{} 字节）",
                    d.files,
                    d.directories,
                    crate::checks::human_bytes(d.bytes),
                    d.bytes
                ),
                Lang::En => format!(
                    "{} files in {} folders, {} ({} bytes)",
                    d.files,
                    d.directories,
                    crate::checks::human_bytes(d.bytes),
                    d.bytes
                ),
            },
        ),
        Field::new(
            l(
                lang,
                "Tree digest (SHA-256, computed by escrow over every file)",
                "目录树摘要（SHA-256，escrow 按全部文件计算）",
            ),
            Text::mono(d.digest.clone()),
        ),
    ];
    if let Some(sm3) = &d.digest_sm3 {
        f.push(Field::new(
            l(lang, "Tree digest (SM3)", "目录树摘要（SM3）"),
            Text::mono(sm3.clone()),
        ));
    }
    if let Some(sha) = &d.source.sha256 {
        f.push(Field::new(
            l(lang, "Archive SHA-256", "压缩包 SHA-256"),
            Text::mono(sha.clone()),
        ));
    }
    if let Some(commit) = &d.source.commit {
        f.push(Field::new(
            l(lang, "Git commit", "git 提交"),
            Text::mono(commit.clone()),
        ));
    }
    f.push(Field::new(
        l(lang, "Manifest", "清单"),
        Text::mono(format!(
            "{} (SHA-256 {})",
            report.manifest.path, report.manifest.sha256
        )),
    ));
    match vault {
        Some(v) => {
            f.push(Field::new(
                l(lang, "Snapshot", "托管快照"),
                Text::mono(format!("{} · {}", v.label, v.snapshot)),
            ));
            f.push(Field::new(
                l(lang, "Ledger entry", "账本序号"),
                v.seq.to_string(),
            ));
            f.push(Field::new(
                l(lang, "Ledger head", "账本头"),
                Text::mono(v.ledger_head.clone()),
            ));
        }
        None => f.push(Field::new(
            l(lang, "Snapshot", "托管快照"),
            l(
                lang,
                "not yet deposited in the escrow vault",
                "本次检查的交付物尚未存入托管库",
            ),
        )),
    }
    f
}

fn allowed(page: &mut Page, report: &Report, lang: Lang) {
    if report.allowed.is_empty() && report.baseline.is_none() {
        return;
    }
    let mut rows: Vec<Vec<Text>> = report
        .allowed
        .iter()
        .map(|a| {
            vec![
                Text::mono(a.code.clone()),
                Text::plain(a.silenced.to_string()),
                Text::plain(a.reason.clone()),
            ]
        })
        .collect();
    if let Some(b) = &report.baseline {
        rows.push(vec![
            Text::mono(b.file.clone()),
            Text::plain(b.silenced.to_string()),
            Text::plain(l(
                lang,
                "accepted one by one in the baseline file",
                "基线文件中逐项接受的问题",
            )),
        ]);
    }
    page.push(Block::Table(Table {
        caption: Some(
            l(
                lang,
                "Findings the hospital accepted (not counted above)",
                "甲方已接受的问题（未计入上文）",
            )
            .to_owned(),
        ),
        header: vec![
            l(lang, "Code or file", "代码或文件").to_owned(),
            l(lang, "Silenced", "数量").to_owned(),
            l(lang, "Reason", "理由").to_owned(),
        ],
        widths: vec![4, 2, 7],
        rows,
        note: None,
    }));
}

/// The form's 概况: the counts and the result, with what the check did not cover (the form
/// may be read on its own).
fn form_summary(report: &Report, lang: Lang) -> String {
    let t = &report.totals;
    let met: u64 = [Criterion::Completeness, Criterion::Documentation]
        .iter()
        .map(|&k| requirements_in(report, k).0)
        .sum();
    let pass = report.verdict == Verdict::Pass;
    let mut summary = match lang {
        Lang::Zh => format!(
            "经检查：验收要求 {} 项，满足 {met} 项；拒绝级问题 {} 个，警告 {} 个。检查结论：{}。",
            t.requirements,
            t.deny,
            t.warn,
            if pass { "通过" } else { "不通过" }
        ),
        Lang::En => format!(
            "Checked: {} requirements, {met} met; {} deny and {} warn findings. Result of the check: {}.",
            t.requirements,
            t.deny,
            t.warn,
            if pass { "pass" } else { "fail" }
        ),
    };
    // The form may be read on its own: it repeats what the check did not cover.
    if report.build.is_none() {
        summary.push_str(not_built(report, lang));
    }
    if report.scan.is_none() {
        summary.push_str(l(
            lang,
            " The technical-barrier scan (③) was switched off.",
            "清单关闭了技术壁垒扫描，标准③未检查。",
        ));
    }
    summary
}

/// The form's 主要任务: the contracted modules, as the manifest names them.
fn main_tasks(report: &Report, lang: Lang) -> String {
    let modules: Vec<&str> = report
        .requirements
        .iter()
        .filter(|r| r.kind == RequirementKindInfo::Module)
        .map(|r| r.name.as_str())
        .collect();
    if modules.is_empty() {
        String::new()
    } else {
        match lang {
            Lang::Zh => format!(
                "按合同交付以下模块的源代码及配套文档：{}",
                modules.join("、")
            ),
            Lang::En => format!(
                "Deliver the source code and companion documents of: {}",
                modules.join(", ")
            ),
        }
    }
}

/// The acceptance form (项目验收单) with the signature block, on a page of its own.
fn sign_off(page: &mut Page, report: &Report, lang: Lang, n: &mut Chapters) {
    page.push(Block::Heading {
        level: 1,
        text: n.title(l(lang, "Acceptance form", "项目验收单")),
        new_page: true,
    });
    let c = &report.contract;
    let summary = form_summary(report, lang);
    let tasks = main_tasks(report, lang);
    let opt = |v: &Option<String>| Text::plain(v.clone().unwrap_or_default());
    page.push(Block::Fields(vec![
        Field::new(l(lang, "Project", "项目名称"), opt(&c.title)),
        Field::new(l(lang, "Contract no.", "合同编号"), opt(&c.id)),
        Field::new(
            l(lang, "Contract date", "合同日期"),
            c.date
                .as_deref()
                .map(|d| day_text(d, lang))
                .unwrap_or_default(),
        ),
        Field::new(
            l(
                lang,
                "Client or its authorised acceptor",
                "甲方或甲方授权验收方",
            ),
            opt(&c.client),
        ),
        Field::new(
            l(lang, "Vendor (developer)", "研究开发方（乙方）"),
            opt(&c.vendor),
        ),
        Field::new(l(lang, "Main tasks", "主要任务"), tasks),
        Field::new(
            l(lang, "Delivery checked", "所验交付物"),
            delivery_named(report, lang),
        ),
        Field::new(l(lang, "Summary", "概况"), summary),
        Field::new(
            l(lang, "Acceptance decision", "验收意见"),
            l(
                lang,
                "☐ accepted   ☐ not accepted   ☐ re-check after remedy",
                "☐ 通过　　☐ 不通过　　☐ 整改后复验",
            ),
        ),
    ]));
    let lines = || {
        vec![
            l(lang, "Signature:", "签字：").to_owned(),
            l(lang, "Seal:", "盖章：").to_owned(),
            l(lang, "Date:", "日期：　　　年　　月　　日").to_owned(),
        ]
    };
    page.push(Block::Signatures(vec![
        Signatory {
            role: l(
                lang,
                "Party A (client) or its authorised acceptor",
                "甲方（或甲方授权验收方）",
            )
            .to_owned(),
            name: c.client.clone(),
            lines: lines(),
        },
        Signatory {
            role: l(lang, "Party B (vendor)", "乙方（研究开发方）").to_owned(),
            name: c.vendor.clone(),
            lines: lines(),
        },
    ]));
}

/// The letter to the vendor (整改通知): only what the vendor must deliver or fix (the `deny`
/// findings), each numbered with the acceptance criterion and the contract clause it rests
/// on, and the day the reply is due.
pub fn letter_page(report: &Report, lang: Lang, reply: &Reply) -> Page {
    let title = l(
        lang,
        "Notice to remedy the source-code delivery",
        "源代码交付整改通知",
    );
    let mut page = page_for(report, lang, title);
    let c = &report.contract;
    let opt = |v: &Option<String>| Text::plain(v.clone().unwrap_or_default());
    page.push(Block::Fields(vec![
        Field::new(l(lang, "To (Party B)", "致（乙方）"), opt(&c.vendor)),
        Field::new(l(lang, "From (Party A)", "发件（甲方）"), opt(&c.client)),
        Field::new(l(lang, "Contract no.", "合同编号"), opt(&c.id)),
        Field::new(l(lang, "Project", "项目名称"), opt(&c.title)),
        Field::new(l(lang, "Date", "日期"), day_text(&reply.from, lang)),
    ]));
    let items = letter_items(report, lang);
    page.para(format!(
        "{}{}",
        c.vendor
            .as_deref()
            .unwrap_or(l(lang, "To the vendor", "乙方")),
        l(lang, ":", "：")
    ));
    page.para(match lang {
        Lang::Zh => format!(
            "我方于{}对贵方交付的源代码（{}）按合同约定进行了检查。以下 {} 项不符合合同约定，请贵方补交或整改：",
            day_text(&reply.from, lang),
            delivery_named(report, lang),
            items.len()
        ),
        Lang::En => format!(
            "On {} we checked the source code you delivered ({}) against the contract. The following {} items do not meet it; please deliver or fix them:",
            reply.from,
            delivery_named(report, lang),
            items.len()
        ),
    });
    if items.is_empty() {
        page.para(l(
            lang,
            "(None: the check found nothing the vendor must deliver or fix.)",
            "（无：本次检查未发现须乙方补交或整改的事项。）",
        ));
    } else {
        page.push(Block::List {
            ordered: true,
            items,
        });
    }
    reply_paragraph(&mut page, report, lang, reply);
    page.para(l(
        lang,
        "The full check report (escrow check) is attached; each item above names the files concerned.",
        "附：完整检查报告（escrow check），上述各项涉及的文件以报告为准。",
    ));
    page.push(Block::Signatures(vec![Signatory {
        role: l(lang, "Party A (client)", "甲方").to_owned(),
        name: c.client.clone(),
        lines: vec![
            l(lang, "Seal:", "（盖章）").to_owned(),
            l(lang, "Date:", "日期：　　　年　　月　　日").to_owned(),
        ],
    }]));
    page
}

fn reply_paragraph(page: &mut Page, report: &Report, lang: Lang, reply: &Reply) {
    let clause = report
        .contract
        .clauses
        .as_ref()
        .and_then(|k| k.support.as_deref());
    let term = match (lang, clause) {
        (Lang::Zh, Some(k)) => format!(
            "依据合同{k}（{}内答复）",
            super::docs::deadline_text(&reply.deadline, Lang::Zh)
        ),
        (Lang::Zh, None) => format!(
            "依据合同技术支持条款（{}内答复）",
            super::docs::deadline_text(&reply.deadline, Lang::Zh)
        ),
        (Lang::En, Some(k)) => format!(
            "Under clause {k} of the contract (a reply within {})",
            reply.deadline
        ),
        (Lang::En, None) => format!(
            "Under the contract's support clause (a reply within {})",
            reply.deadline
        ),
    };
    let provisional = if reply.provisional {
        l(
            lang,
            " (counted on the statutory holidays; the State Council has not yet published that year's schedule)",
            "（按法定节假日推算，当年放假安排尚未由国务院公布）",
        )
    } else {
        ""
    };
    page.push(Block::Paragraph(Text::strong(match lang {
        Lang::Zh => format!(
            "{term}，请贵方于{}（含当日）{provisional}前书面答复整改计划，并按计划补交。",
            day_text(&reply.due, lang)
        ),
        Lang::En => format!(
            "{term}, please reply in writing with your plan to remedy them by the end of {}{provisional}, and deliver as planned.",
            reply.due
        ),
    })));
}

/// One numbered item per code (and requirement) of the `deny` findings.
fn letter_items(report: &Report, lang: Lang) -> Vec<Text> {
    let mut items = Vec::new();
    for c in CRITERIA.iter().chain(std::iter::once(&Criterion::Other)) {
        for g in groups_in(report, *c)
            .into_iter()
            .filter(|g| g.severity == Severity::Deny)
        {
            let info = crate::codes::finding(g.code);
            let basis = match (c.clause(report.contract.clauses.as_ref()), lang) {
                (Some(k), Lang::Zh) => format!("【依据：验收标准{}，合同{k}】", c.label(lang)),
                (None, Lang::Zh) => format!("【依据：验收标准{}】", c.label(lang)),
                (Some(k), Lang::En) => format!("[Basis: criterion {}, clause {k}] ", c.label(lang)),
                (None, Lang::En) => format!("[Basis: criterion {}] ", c.label(lang)),
            };
            let meaning = info.map_or(g.code, |i| l(lang, i.meaning_en, i.meaning_zh));
            let ask = to_vendor(info.map_or("", |i| l(lang, i.ask_en, i.ask_zh)), lang);
            // Evidence lines tell the hospital what to ask; in a letter they speak to the vendor.
            let places = for_vendor(&group_places(&g, lang));
            items.push(Text::plain(match lang {
                Lang::Zh => format!("{basis}{meaning}（{} 处）\n{places}\n{ask}", g.list.len()),
                Lang::En => format!(
                    "{basis}{meaning} ({} {})\n{places}\n{ask}",
                    g.list.len(),
                    if g.list.len() == 1 { "place" } else { "places" }
                ),
            }));
        }
    }
    items
}

/// The delivery as the vendor can recognise it: an archive by its own SHA-256 (what
/// `sha256sum` gives on the vendor's file), a git delivery by its commit, a folder by the
/// tree digest escrow computes (named as such).
fn delivery_named(report: &Report, lang: Lang) -> String {
    let d = &report.delivery;
    let name = std::path::Path::new(&d.path)
        .file_name()
        .map_or_else(|| d.path.clone(), |n| n.to_string_lossy().into_owned());
    match (&d.source.sha256, &d.source.commit, lang) {
        (Some(sha), _, Lang::Zh) => {
            format!("{name}，{} 个文件，压缩包 SHA-256：{sha}", d.files)
        }
        (Some(sha), _, Lang::En) => format!("{name}, {} files, archive SHA-256 {sha}", d.files),
        (None, Some(commit), Lang::Zh) => {
            format!("{name}，git 提交 {commit}，{} 个文件", d.files)
        }
        (None, Some(commit), Lang::En) => {
            format!("{name}, git commit {commit}, {} files", d.files)
        }
        (None, None, Lang::Zh) => format!(
            "{name}，{} 个文件，目录树摘要（SHA-256，escrow 按全部文件计算）：{}",
            d.files, d.digest
        ),
        (None, None, Lang::En) => format!(
            "{name}, {} files, tree digest (SHA-256 computed by escrow over every file) {}",
            d.files, d.digest
        ),
    }
}

/// What to ask the vendor, turned to the vendor: the code texts tell the hospital what to ask
/// ("要求供应商交付…", "Ask the vendor to deliver…"); a letter asks it directly ("请贵方交付…").
fn to_vendor(ask: &str, lang: Lang) -> String {
    let prefixes: &[(&str, &str)] = match lang {
        Lang::Zh => &[
            ("要求供应商", "请贵方"),
            ("要求提供", "请贵方提供"),
            ("询问供应商", "请贵方说明"),
        ],
        Lang::En => &[
            ("Ask the vendor to ", "Please "),
            ("Ask the vendor for ", "Please provide "),
            ("Ask the vendor whether ", "Please state whether "),
            ("Ask the vendor why ", "Please state why "),
            ("Ask the vendor which ", "Please state which "),
            ("Ask the vendor what ", "Please state what "),
            ("Ask for ", "Please provide "),
        ],
    };
    prefixes
        .iter()
        .find_map(|(from, to)| ask.strip_prefix(from).map(|rest| format!("{to}{rest}")))
        .unwrap_or_else(|| match lang {
            Lang::Zh => format!("处理要求：{ask}"),
            Lang::En => format!("Required: {ask}"),
        })
}

/// What to say when no build ran: ② is "to be verified" unless a buildability finding
/// already fails it (then only that no build ran).
fn not_built(report: &Report, lang: Lang) -> &'static str {
    if counts_in(report, Criterion::Buildability).0 > 0 {
        l(lang, " No build was run.", "本次未进行编译验证。")
    } else {
        l(
            lang,
            " Buildability (②) was not verified: no build was run.",
            "本次未进行编译验证，标准②待验证。",
        )
    }
}

/// Advice in a finding's message that is for the hospital, not for the vendor (a missing
/// module may be the manifest's paths): left out of the letter.
fn for_vendor(text: &str) -> String {
    const ASIDES: [(&str, &str); 2] = [
        ("；交付物中有 ", "请先核对清单中的路径"),
        ("; ", "check the manifest's paths before asking the vendor"),
    ];
    let mut out = text.to_owned();
    for (start, end) in ASIDES {
        if let Some(e) = out.find(end)
            && let Some(b) = out[..e].rfind(start)
        {
            out.replace_range(b..e + end.len(), "");
        }
    }
    out.replace("请要求供应商", "请贵方")
}
