//! The human report: a requirements table, findings grouped by code with what to ask the
//! vendor for, then totals and the verdict. English or Chinese.

use std::io::{self, Write};

use console::Style;
use unicode_width::UnicodeWidthStr;

use super::{
    BuildInfo, CrossCheckInfo, FolderInfo, Report, RequirementInfo,
    RequirementStatusInfo as Status, UncoveredInfo, Verdict,
};
use crate::checks::human_bytes;
use crate::finding::{self, Finding, Severity};

/// The language of the human report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

fn pad(s: &str, width: usize) -> String {
    let w = s.width();
    if w >= width {
        s.to_owned()
    } else {
        format!("{s}{}", " ".repeat(width - w))
    }
}

fn pad_left(s: &str, width: usize) -> String {
    let w = s.width();
    if w >= width {
        s.to_owned()
    } else {
        format!("{}{s}", " ".repeat(width - w))
    }
}

/// Render the human report. `color` turns on ANSI styling.
/// The report's text styles, with colour forced on or off.
struct Styles {
    bold: Style,
    green: Style,
    red: Style,
    yellow: Style,
    dim: Style,
}

impl Styles {
    /// Bold, green, red, yellow and dim, in that order.
    fn parts(self) -> (Style, Style, Style, Style, Style) {
        (self.bold, self.green, self.red, self.yellow, self.dim)
    }

    fn new(color: bool) -> Styles {
        let st = |s: Style| s.force_styling(color);
        Styles {
            bold: st(Style::new().bold()),
            green: st(Style::new().green()),
            red: st(Style::new().red().bold()),
            yellow: st(Style::new().yellow()),
            dim: st(Style::new().dim()),
        }
    }
}

/// Findings listed per code in the human report; the JSON report has them all.
const GROUP_LIMIT: usize = 50;

/// Write a check report for people, in `lang`, with ANSI styles when `color`: the header
/// (contract, delivery, manifest, time in China Standard Time), the requirements, the build, the
/// findings (at most 50 per code), the allowances, the scan and the verdict. Every string is made
/// terminal-safe first. Errors: writing to `out` failed, or the report could not be copied
/// through JSON to make it terminal-safe.
pub fn render_human(
    report: &Report,
    lang: Lang,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    // Much of the report is the vendor's text (build output, evidence, commit authors): every
    // string is made terminal-safe first, so none can move the cursor, erase or hide a line.
    let safe = super::terminal_safe(report)?;
    let report = &safe;
    header(report, lang, color, out)?;
    if !report.requirements.is_empty() || report.build.is_none() {
        requirements_table(report, lang, color, out)?;
    }
    documents_section(report, lang, color, out)?;
    if let Some(u) = &report.uncovered {
        uncovered_section(report, u, lang, color, out)?;
    }
    if let Some(b) = &report.build {
        build_section(b, lang, color, out)?;
    }
    findings(report, lang, color, out)?;
    allowed(report, lang, color, out)?;
    scan_line(report, lang, color, out)?;
    writeln!(out)?;
    verdict(report, lang, color, out)
}

/// Whether the report is `escrow build`'s (no requirements, a build).
fn is_build_only(report: &Report) -> bool {
    report.requirements.is_empty() && report.build.is_some()
}

/// The title, the contract's parties, the delivery, the manifest and the time of the check.
fn header(report: &Report, lang: Lang, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let bold = Styles::new(color).bold;
    let l = |en, zh| lang.pick(en, zh);

    let build_only = is_build_only(report);
    let title = report.contract.title.clone().unwrap_or_else(|| {
        if build_only {
            l("isolated build of the delivery", "交付物隔离编译").to_owned()
        } else {
            l("source-code delivery check", "源代码交付检查").to_owned()
        }
    });
    let command = if build_only {
        "escrow build"
    } else {
        "escrow check"
    };
    writeln!(out, "{}", bold.apply_to(format!("{command}: {title}")))?;
    let c = &report.contract;
    let rows = [
        (l("Contract", "合同编号"), c.id.clone()),
        (l("Client", "甲方"), c.client.clone()),
        (l("Vendor", "乙方"), c.vendor.clone()),
    ];
    let label_w = 10;
    for (label, value) in rows {
        if let Some(v) = value {
            writeln!(out, "  {} {v}", pad(label, label_w))?;
        }
    }
    let d = &report.delivery;
    let mut extra = String::new();
    if d.symlinks > 0 {
        extra.push_str(&format!(", {} {}", d.symlinks, l("symlinks", "个符号链接")));
    }
    if d.special > 0 {
        extra.push_str(&format!(
            ", {} {}",
            d.special,
            l("special files skipped", "个特殊文件已跳过")
        ));
    }
    writeln!(
        out,
        "  {} {} ({} {}, {}{extra})",
        pad(l("Delivery", "交付物"), label_w),
        d.path,
        d.files,
        l("files", "个文件"),
        human_bytes(d.bytes)
    )?;
    writeln!(
        out,
        "  {} {} (sha256 {})",
        pad(l("Manifest", "清单"), label_w),
        report.manifest.path,
        &report.manifest.sha256[..report.manifest.sha256.len().min(16)]
    )?;
    writeln!(
        out,
        "  {} {}",
        pad(l("Checked", "检查时间"), label_w),
        super::cst_time(&report.generated_at, lang)
    )?;
    writeln!(out)?;
    Ok(())
}

/// Findings grouped by code, most severe first (the report keeps them sorted).
fn findings(report: &Report, lang: Lang, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let (bold, ..) = Styles::new(color).parts();
    let l = |en, zh| lang.pick(en, zh);
    let t = &report.totals;
    if report.findings.is_empty() {
        writeln!(out, "{}", bold.apply_to(l("Findings: none", "问题：无")))?;
    } else {
        let head = match lang {
            Lang::En => format!(
                "Findings: {} deny, {} warn, {} info",
                t.deny, t.warn, t.info
            ),
            Lang::Zh => format!(
                "问题：拒绝级 {} 个，警告 {} 个，提示 {} 个",
                t.deny, t.warn, t.info
            ),
        };
        writeln!(out, "{}", bold.apply_to(head))?;
        let mut groups: Vec<(&str, Severity, Vec<&Finding>)> = Vec::new();
        for f in &report.findings {
            match groups
                .iter_mut()
                .find(|g| g.0 == f.code && g.1 == f.severity)
            {
                Some(g) => g.2.push(f),
                None => groups.push((&f.code, f.severity, vec![f])),
            }
        }
        for (code, sev, list) in groups {
            finding_group(code, sev, &list, lang, color, out)?;
        }
    }
    Ok(())
}

/// One code's findings: its meaning, each finding (at most [`GROUP_LIMIT`]) and what to ask
/// the vendor for.
fn finding_group(
    code: &str,
    sev: Severity,
    list: &[&Finding],
    lang: Lang,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (bold, _, red, yellow, dim) = Styles::new(color).parts();
    let l = |en, zh| lang.pick(en, zh);
    let sev_style = match sev {
        Severity::Deny => &red,
        Severity::Warn => &yellow,
        Severity::Info => &dim,
    };
    let info = crate::codes::finding(code);
    writeln!(out)?;
    let sev_label = match (lang, sev) {
        (Lang::En, _) => sev.as_str().to_uppercase(),
        (Lang::Zh, Severity::Deny) => "拒绝级".to_owned(),
        (Lang::Zh, Severity::Warn) => "警告".to_owned(),
        (Lang::Zh, Severity::Info) => "提示".to_owned(),
    };
    let criterion = info
        .map(|i| {
            format!(
                " · {}",
                finding::criterion_label(i.criterion, lang == Lang::En)
            )
        })
        .unwrap_or_default();
    writeln!(
        out,
        "  {} {} ({}){}",
        sev_style.apply_to(sev_label),
        bold.apply_to(code),
        list.len(),
        dim.apply_to(criterion)
    )?;
    if let Some(info) = info {
        writeln!(
            out,
            "    {}",
            dim.apply_to(l(info.meaning_en, info.meaning_zh))
        )?;
    }
    let total = list.len();
    for f in list.iter().take(GROUP_LIMIT) {
        finding_lines(f, lang, color, out)?;
    }
    if total > GROUP_LIMIT {
        writeln!(
            out,
            "    {}",
            dim.apply_to(match lang {
                Lang::En => format!(
                    "… {} more; the JSON report (--format json) lists them all",
                    total - GROUP_LIMIT
                ),
                Lang::Zh => format!(
                    "… 另有 {} 条未列出；JSON 报告（--format json）列出全部",
                    total - GROUP_LIMIT
                ),
            })
        )?;
    }
    if let Some(info) = info {
        writeln!(out, "    → {}", l(info.ask_en, info.ask_zh))?;
    }
    Ok(())
}

/// One finding of a group: where, what (marked when new since the previous snapshot), its
/// evidence, and the places of a finding found in several.
fn finding_lines(f: &Finding, lang: Lang, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let dim = Styles::new(color).dim;
    let l = |en, zh| lang.pick(en, zh);
    let mut loc = String::new();
    if f.new == Some(true) {
        loc.push_str(l("[new] ", "[本次新出现] "));
    }
    if let Some(req) = &f.requirement {
        loc.push_str(&format!("[{req}] "));
    }
    match (&f.path, f.line) {
        (Some(p), Some(line)) => loc.push_str(&format!("{p}:{line}: ")),
        (Some(p), None) if !f.message.contains(p.as_str()) => {
            loc.push_str(&format!("{p}: "));
        }
        _ => {}
    }
    let rule = f
        .rule
        .as_deref()
        .map(|r| format!(" [{r}]"))
        .unwrap_or_default();
    writeln!(
        out,
        "    - {loc}{}{}",
        l(&f.message, &f.message_zh),
        dim.apply_to(rule)
    )?;
    for e in f.evidence.iter().take(5) {
        writeln!(out, "        {}", dim.apply_to(e))?;
    }
    if let Some(line) = places_line(f, lang) {
        writeln!(out, "        {}", dim.apply_to(line))?;
    }
    if f.evidence.len() > 5 {
        writeln!(
            out,
            "        {}",
            dim.apply_to(format!(
                "… {} {}",
                f.evidence.len() - 5,
                l("more", "条未列出")
            ))
        )?;
    }
    Ok(())
}

/// How many places to name in a finding's "same secret in N files" or "N files" line.
const PLACES_SHOWN: usize = 3;

/// The line naming every place of a finding found in several (the same secret in several
/// files), or the files of a finding about several files that its evidence does not name; the
/// first few, the JSON report lists them all.
fn places_line(f: &Finding, lang: Lang) -> Option<String> {
    let more = |n: usize| match (n, lang) {
        (0, _) => String::new(),
        (n, Lang::En) => format!(", … {n} more"),
        (n, Lang::Zh) => format!("，…… 另有 {n} 处"),
    };
    if f.locations.len() > 1 {
        let mut files: Vec<&str> = f.locations.iter().map(|l| l.path.as_str()).collect();
        files.dedup();
        let shown: Vec<String> = f
            .locations
            .iter()
            .take(PLACES_SHOWN)
            .map(|l| match l.line {
                Some(n) => format!("{}:{n}", l.path),
                None => l.path.clone(),
            })
            .collect();
        let rest = more(f.locations.len().saturating_sub(PLACES_SHOWN));
        if f.fingerprint.is_none() && f.locations.iter().all(|l| l.line.is_none()) {
            // Copies of one compiled file (the same content) in several places.
            return Some(match lang {
                Lang::En => format!(
                    "the same file (identical content) in {} places: {}{rest}",
                    f.locations.len(),
                    shown.join(", ")
                ),
                Lang::Zh => format!(
                    "同一文件（内容相同）出现在 {} 处：{}{rest}",
                    f.locations.len(),
                    shown.join("，")
                ),
            });
        }
        return Some(match lang {
            Lang::En if files.len() > 1 => format!(
                "same secret in {} files: {}{rest}",
                files.len(),
                shown.join(", ")
            ),
            Lang::En => format!(
                "same secret on {} lines: {}{rest}",
                f.locations.len(),
                shown.join(", ")
            ),
            Lang::Zh if files.len() > 1 => format!(
                "同一密钥出现在 {} 个文件中：{}{rest}",
                files.len(),
                shown.join("，")
            ),
            Lang::Zh => format!(
                "同一密钥出现在 {} 行：{}{rest}",
                f.locations.len(),
                shown.join("，")
            ),
        });
    }
    let first = f.paths.first()?;
    let name = first.rsplit('/').next().unwrap_or(first);
    if f.paths.len() < 2 || f.evidence.iter().any(|e| e.contains(name)) {
        return None;
    }
    let shown: Vec<&str> = f
        .paths
        .iter()
        .take(PLACES_SHOWN)
        .map(String::as_str)
        .collect();
    let rest = more(f.paths.len().saturating_sub(PLACES_SHOWN));
    Some(match lang {
        Lang::En => format!("{} files: {}{rest}", f.paths.len(), shown.join(", ")),
        Lang::Zh => format!("{} 个文件：{}{rest}", f.paths.len(), shown.join("，")),
    })
}

/// The `[[allow]]` entries and what each silenced.
fn allowed(report: &Report, lang: Lang, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let bold = Styles::new(color).bold;
    let l = |en, zh| lang.pick(en, zh);
    if !report.allowed.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            bold.apply_to(l(
                "Allowed by the manifest ([[allow]]):",
                "清单允许的例外（[[allow]]）："
            ))
        )?;
        for a in &report.allowed {
            let rule = a
                .rule
                .as_deref()
                .map(|r| format!(" [{r}]"))
                .unwrap_or_default();
            let paths = a.paths.join(", ");
            match lang {
                Lang::En => writeln!(
                    out,
                    "  - {}{rule} in {paths}: {} ({} silenced)",
                    a.code, a.reason, a.silenced
                )?,
                Lang::Zh => writeln!(
                    out,
                    "  - {}{rule}（{paths}）：{}（已忽略 {} 条）",
                    a.code, a.reason, a.silenced
                )?,
            }
        }
    }
    if let Some(b) = &report.baseline {
        writeln!(out)?;
        let line = match lang {
            Lang::En => format!(
                "Accepted in the baseline {} ({} entries): {} silenced, {} stale",
                b.file, b.entries, b.silenced, b.stale
            ),
            Lang::Zh => format!(
                "基线 {}（{} 条记录）：已忽略 {} 条，失效记录 {} 条",
                b.file, b.entries, b.silenced, b.stale
            ),
        };
        writeln!(out, "{}", bold.apply_to(line))?;
    }
    Ok(())
}

/// What the technical-barrier scan looked at.
fn scan_line(report: &Report, lang: Lang, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let dim = Styles::new(color).dim;
    if let Some(s) = &report.scan {
        writeln!(out)?;
        let line = match lang {
            Lang::En => format!(
                "Scan: {} files ({}) read, {} as text, with {} rules; {} under third-party folders (not checked for credentials, backdoors, obfuscation){}",
                s.files,
                crate::checks::human_bytes(s.bytes),
                s.text_files,
                s.rules,
                s.third_party_files,
                if s.truncated > 0 {
                    format!(
                        "; {} text files scanned only in their first 16 MiB",
                        s.truncated
                    )
                } else {
                    String::new()
                }
            ),
            Lang::Zh => format!(
                "扫描：读取 {} 个文件（{}），其中 {} 个按文本扫描，规则 {} 条；第三方目录下 {} 个文件（不检查凭据、后门、混淆）{}",
                s.files,
                crate::checks::human_bytes(s.bytes),
                s.text_files,
                s.rules,
                s.third_party_files,
                if s.truncated > 0 {
                    format!("；{} 个文本文件只扫描了前 16 MiB", s.truncated)
                } else {
                    String::new()
                }
            ),
        };
        writeln!(out, "{}", dim.apply_to(line))?;
    }
    Ok(())
}

/// The totals and the verdict.
fn verdict(report: &Report, lang: Lang, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let (bold, green, red, ..) = Styles::new(color).parts();
    let l = |en, zh| lang.pick(en, zh);
    let t = &report.totals;
    let build_only = is_build_only(report);
    match lang {
        Lang::En if build_only => writeln!(
            out,
            "findings: {} deny, {} warn, {} info",
            t.deny, t.warn, t.info
        )?,
        Lang::Zh if build_only => writeln!(
            out,
            "问题：拒绝级 {} 个，警告 {} 个，提示 {} 个",
            t.deny, t.warn, t.info
        )?,
        Lang::En => writeln!(
            out,
            "{} requirements: {} met, {} unmet · findings: {} deny, {} warn, {} info",
            t.requirements, t.met, t.unmet, t.deny, t.warn, t.info
        )?,
        Lang::Zh => writeln!(
            out,
            "共 {} 项要求：{} 项满足，{} 项未满足 · 问题：拒绝级 {} 个，警告 {} 个，提示 {} 个",
            t.requirements, t.met, t.unmet, t.deny, t.warn, t.info
        )?,
    }
    match report.verdict {
        Verdict::Pass => writeln!(
            out,
            "{}{}",
            bold.apply_to(l("Verdict: ", "结论：")),
            green.apply_to(l(
                "PASS: every deny-level requirement is met",
                "通过：所有拒绝级要求均已满足"
            ))
        ),
        Verdict::Fail => writeln!(
            out,
            "{}{}",
            bold.apply_to(l("Verdict: ", "结论：")),
            red.apply_to(l(
                "FAIL: deny-level findings above; do not accept the delivery as it is",
                "不通过：存在拒绝级问题，不应按现状验收该交付物"
            ))
        ),
    }
}

/// The requirements table.
fn requirements_table(
    report: &Report,
    lang: Lang,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (bold, green, red, yellow, dim) = Styles::new(color).parts();
    let l = |en, zh| lang.pick(en, zh);
    // Requirements table.
    writeln!(out, "{}", bold.apply_to(l("Requirements", "合同要求")))?;
    let head = [
        l("KIND", "类型"),
        l("ID", "编号"),
        l("NAME", "名称"),
        l("STATUS", "状态"),
        l("FILES", "文件数"),
        l("EVIDENCE", "证据"),
    ];
    let kind = |r: &RequirementInfo| match lang {
        Lang::En => r.kind.as_str().to_owned(),
        Lang::Zh => r.kind.zh().to_owned(),
    };
    let status_text = |r: &RequirementInfo| {
        let denied = report.findings.iter().any(|f| {
            f.requirement.as_deref() == Some(r.id.as_str()) && f.severity == Severity::Deny
        });
        match (r.status, denied) {
            (Status::Met, _) => (format!("✓ {}", l("met", "满足")), 0),
            (Status::Unmet, true) => (format!("✗ {}", l("unmet", "未满足")), 1),
            (Status::Unmet, false) => (format!("! {}", l("warnings", "有警告")), 2),
        }
    };
    // Each column is as wide as its widest cell (display width: CJK characters count double).
    let width = |col: usize, cell: &dyn Fn(&RequirementInfo) -> String| {
        report
            .requirements
            .iter()
            .map(|r| cell(r).width())
            .chain([head[col].width()])
            .max()
            .unwrap_or(0)
    };
    let w_kind = width(0, &kind);
    let w_id = width(1, &|r| r.id.clone());
    let w_name = width(2, &|r| r.name.clone());
    let w_status = width(3, &|r| status_text(r).0);
    let w_files = width(4, &|r| r.matched_files.to_string());
    writeln!(
        out,
        "  {}  {}  {}  {}  {}  {}",
        dim.apply_to(pad(head[0], w_kind)),
        dim.apply_to(pad(head[1], w_id)),
        dim.apply_to(pad(head[2], w_name)),
        dim.apply_to(pad(head[3], w_status)),
        dim.apply_to(pad_left(head[4], w_files)),
        dim.apply_to(head[5]),
    )?;
    for r in &report.requirements {
        let (status, level) = status_text(r);
        let status = pad(&status, w_status);
        let status = match level {
            0 => green.apply_to(status),
            1 => red.apply_to(status),
            _ => yellow.apply_to(status),
        };
        writeln!(
            out,
            "  {}  {}  {}  {}  {}  {}",
            pad(&kind(r), w_kind),
            pad(&r.id, w_id),
            pad(&r.name, w_name),
            status,
            pad_left(&r.matched_files.to_string(), w_files),
            l(&r.evidence, &r.evidence_zh),
        )?;
    }
    writeln!(out)?;
    Ok(())
}

/// Missing items of a cross-check the human report names; the JSON report lists them all.
const MISSING_SHOWN: usize = 5;

/// What each document requirement's files say: format and words of each document (or why it
/// cannot be read), and each cross-check's coverage with the first missing items.
fn documents_section(
    report: &Report,
    lang: Lang,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (bold, _, _, yellow, dim) = Styles::new(color).parts();
    let l = |en, zh| lang.pick(en, zh);
    let docs: Vec<&RequirementInfo> = report
        .requirements
        .iter()
        .filter(|r| !r.documents.is_empty())
        .collect();
    if docs.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "{}",
        bold.apply_to(l("Documents: what their text says", "文档内容"))
    )?;
    for r in docs {
        writeln!(out, "  {} {}", r.id, r.name)?;
        for d in &r.documents {
            match (&d.format, d.words, &d.unreadable) {
                (Some(format), Some(words), _) => {
                    let mut line = match lang {
                        Lang::En => format!("{format}, {words} words"),
                        Lang::Zh => format!("{format}，{words} 字"),
                    };
                    if let Some(enc) = &d.encoding {
                        line.push_str(&format!(", {enc}"));
                    }
                    if d.template_phrases > 0 {
                        line.push_str(&match lang {
                            Lang::En => format!(", {} template phrases", d.template_phrases),
                            Lang::Zh => format!("，占位文字 {} 处", d.template_phrases),
                        });
                    }
                    if d.placeholder {
                        line.push_str(l(", a placeholder", "，占位文档"));
                    }
                    writeln!(out, "    {}  {}", d.path, dim.apply_to(line))?;
                }
                (_, _, why) => {
                    let why = why.as_ref().map_or("", |w| l(&w.en, &w.zh));
                    writeln!(
                        out,
                        "    {}  {}",
                        d.path,
                        yellow.apply_to(match lang {
                            Lang::En => format!("not readable: {why}"),
                            Lang::Zh => format!("无法读取：{why}"),
                        })
                    )?;
                }
            }
        }
        for c in &r.cross_checks {
            cross_check_lines(c, lang, color, out)?;
        }
    }
    writeln!(out)?;
    Ok(())
}

/// One cross-check of a document: its coverage, the first missing items, differing versions.
fn cross_check_lines(
    c: &CrossCheckInfo,
    lang: Lang,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (_, green, red, yellow, dim) = Styles::new(color).parts();
    let l = |en, zh| lang.pick(en, zh);
    {
        {
            let what = match (c.covers.as_str(), lang) {
                ("tables", Lang::En) => "tables",
                ("tables", Lang::Zh) => "数据表",
                ("dependencies", Lang::En) => "dependencies",
                ("dependencies", Lang::Zh) => "依赖",
                ("endpoints", Lang::En) => "HTTP endpoints",
                ("endpoints", Lang::Zh) => "HTTP 接口",
                ("build-tools", Lang::En) => "build tools",
                ("build-tools", Lang::Zh) => "编译工具",
                (other, _) => other,
            };
            let line = match lang {
                Lang::En => format!(
                    "{what}: names {} of {} ({}%, at least {}% required)",
                    c.named, c.items, c.percent, c.min_percent
                ),
                Lang::Zh => format!(
                    "{what}：写到 {}/{}（{}%，要求至少 {}%）",
                    c.named, c.items, c.percent, c.min_percent
                ),
            };
            let line = if c.percent >= c.min_percent {
                green.apply_to(format!("✓ {line}"))
            } else {
                red.apply_to(format!("✗ {line}"))
            };
            writeln!(out, "    {line}")?;
            {
                for m in c.missing.iter().take(MISSING_SHOWN) {
                    writeln!(out, "      {} {m}", l("missing:", "缺少："))?;
                }
                if c.missing.len() > MISSING_SHOWN {
                    let more = c.missing.len() - MISSING_SHOWN;
                    writeln!(
                        out,
                        "      {}",
                        dim.apply_to(match lang {
                            Lang::En =>
                                format!("… and {more} more (see the finding, or --format json)"),
                            Lang::Zh => format!("…… 另有 {more} 项（见下方问题或 --format json）"),
                        })
                    )?;
                }
            }
            for v in &c.versions_differ {
                writeln!(
                    out,
                    "      {}",
                    yellow.apply_to(match lang {
                        Lang::En => format!(
                            "{}: declared {}, the document says {}",
                            v.name, v.declared, v.documented
                        ),
                        Lang::Zh => format!(
                            "{}：依赖文件声明 {}，文档写的是 {}",
                            v.name, v.declared, v.documented
                        ),
                    })
                )?;
            }
        }
    }
    Ok(())
}

/// Uncovered source folders the human report lists; the JSON report lists them all.
const UNCOVERED_SHOWN: usize = 10;

/// Third-party folders the human report names.
const THIRD_PARTY_SHOWN: usize = 3;

/// A folder of the uncovered summary, for people: `web/`, `his/ (files directly in it)`, the
/// delivery's top.
fn folder_label(f: &FolderInfo, lang: Lang) -> String {
    match (f.folder.as_str(), f.direct, lang) {
        (".", _, Lang::En) => "(top folder)".to_owned(),
        (".", _, Lang::Zh) => "（根目录）".to_owned(),
        (d, true, Lang::En) => format!("{d}/ (files directly in it)"),
        (d, true, Lang::Zh) => format!("{d}/（仅其直接包含的文件）"),
        (d, false, _) => format!("{d}/"),
    }
}

/// A path as one shell word: as is when it holds only plain characters, else single-quoted.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '+' | ',' | ':' | '@' | '=')
        });
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The delivered source no requirement covers, by folder (see [`uncovered_summary`]), and the
/// command that shows what each requirement matches. Nothing when every source file is
/// covered.
fn uncovered_section(
    report: &Report,
    u: &UncoveredInfo,
    lang: Lang,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    if u.files == 0 {
        return Ok(());
    }
    uncovered_summary(u, lang, color, out)?;
    writeln!(
        out,
        "  → {}",
        lang.pick(
            "If these folders belong to the contract, the manifest's paths probably do not match the vendor's folder names; see what each requirement matches with:",
            "如这些目录属于合同范围，清单中的路径很可能与供应商的目录名不一致；可用以下命令查看每项要求匹配到的文件："
        )
    )?;
    writeln!(
        out,
        "    escrow manifest check {} --against {}",
        shell_word(&report.manifest.path),
        shell_word(&report.delivery.path)
    )?;
    writeln!(out)?;
    Ok(())
}

/// The section "Source not covered by any requirement": how many source files, their share,
/// each folder (at most [`UNCOVERED_SHOWN`]) with its files, bytes and languages, then the
/// third-party code and the other files covered by nothing, one line each. Also used by
/// `escrow manifest check --against`.
pub(crate) fn uncovered_summary(
    u: &UncoveredInfo,
    lang: Lang,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (bold, _, _, yellow, dim) = Styles::new(color).parts();
    writeln!(
        out,
        "{}",
        bold.apply_to(lang.pick(
            "Source not covered by any requirement",
            "未被任何要求覆盖的源代码"
        ))
    )?;
    if u.files == 0 {
        writeln!(
            out,
            "  {}",
            match lang {
                Lang::En => format!(
                    "none: every one of the {} delivered source files matches a requirement",
                    u.source_files
                ),
                Lang::Zh => format!("无：交付的 {} 个源代码文件均匹配某项要求", u.source_files),
            }
        )?;
    } else {
        let pct = crate::checks::coverage::percent(u.files, u.source_files);
        let head = match lang {
            Lang::En => format!(
                "{} of the {} delivered source files ({pct}, {}) match no requirement of the manifest:",
                u.files,
                u.source_files,
                human_bytes(u.bytes)
            ),
            Lang::Zh => format!(
                "交付的 {} 个源代码文件中有 {} 个（{pct}，{}）不匹配清单中的任何要求：",
                u.source_files,
                u.files,
                human_bytes(u.bytes)
            ),
        };
        writeln!(out, "  {}", yellow.apply_to(head))?;
        uncovered_folders(u, lang, &dim, out)?;
    }
    uncovered_others(u, lang, &dim, out)
}

/// "1 file", "3 files", "3 个文件".
fn files_text(n: u64, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{n} {}", if n == 1 { "file" } else { "files" }),
        Lang::Zh => format!("{n} 个文件"),
    }
}

/// The uncovered source folders, one a line (at most [`UNCOVERED_SHOWN`]): files, bytes,
/// languages.
fn uncovered_folders(
    u: &UncoveredInfo,
    lang: Lang,
    dim: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let shown: Vec<&FolderInfo> = u.folders.iter().take(UNCOVERED_SHOWN).collect();
    let w_folder = shown
        .iter()
        .map(|f| folder_label(f, lang).width())
        .max()
        .unwrap_or(0);
    let w_files = shown
        .iter()
        .map(|f| files_text(f.files, lang).width())
        .max()
        .unwrap_or(0);
    for f in &shown {
        let langs = f
            .languages
            .iter()
            .map(|x| format!("{} {}", x.language, x.files))
            .collect::<Vec<_>>()
            .join(", ");
        writeln!(
            out,
            "    {}  {}  {}  {}",
            pad(&folder_label(f, lang), w_folder),
            pad_left(&files_text(f.files, lang), w_files),
            pad_left(&human_bytes(f.bytes), 9),
            dim.apply_to(langs)
        )?;
    }
    if u.folders.len() > shown.len() {
        let more = u.folders.len() - shown.len();
        writeln!(
            out,
            "    {}",
            dim.apply_to(match lang {
                Lang::En => format!(
                    "… {more} more folders; the JSON report (--format json) lists them all"
                ),
                Lang::Zh => format!("… 另有 {more} 个目录未列出；JSON 报告（--format json）列出全部"),
            })
        )?;
    }
    Ok(())
}

/// The third-party code and the other files no requirement covers, one line each.
fn uncovered_others(
    u: &UncoveredInfo,
    lang: Lang,
    dim: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    if u.third_party_files > 0 {
        let mut names: Vec<String> = u
            .third_party_folders
            .iter()
            .take(THIRD_PARTY_SHOWN)
            .map(|f| folder_label(f, lang))
            .collect();
        if u.third_party_folders.len() > THIRD_PARTY_SHOWN {
            names.push("…".to_owned());
        }
        let line = match lang {
            Lang::En => format!(
                "Third-party code, not counted above: {}, {} in {}",
                files_text(u.third_party_files, lang),
                human_bytes(u.third_party_bytes),
                names.join(", ")
            ),
            Lang::Zh => format!(
                "第三方代码（不计入上述统计）：{}，{}，位于 {}",
                files_text(u.third_party_files, lang),
                human_bytes(u.third_party_bytes),
                names.join("、")
            ),
        };
        writeln!(out, "  {}", dim.apply_to(line))?;
    }
    if u.other_files > 0 {
        let line = match lang {
            Lang::En => format!(
                "Other files no requirement covers (images, documents, binaries, …): {}, {}",
                files_text(u.other_files, lang),
                human_bytes(u.other_bytes)
            ),
            Lang::Zh => format!(
                "未被任何要求覆盖的其他文件（图片、文档、二进制文件等）：{}，{}",
                files_text(u.other_files, lang),
                human_bytes(u.other_bytes)
            ),
        };
        writeln!(out, "  {}", dim.apply_to(line))?;
    }
    Ok(())
}

/// The build section: what ran, how it was isolated, what it made, and the log's last lines.
fn build_section(b: &BuildInfo, lang: Lang, color: bool, out: &mut dyn Write) -> io::Result<()> {
    use super::BuildStatusInfo as Status;

    let (bold, _, _, _, dim) = Styles::new(color).parts();
    let l = |en, zh| lang.pick(en, zh);
    let w = 11;
    writeln!(
        out,
        "{}",
        bold.apply_to(l("Build (isolated)", "编译（隔离环境）"))
    )?;
    let mut command = format!("`{}`", b.command);
    if !b.workdir.is_empty() {
        command.push_str(&format!(" ({} {})", l("in", "目录"), b.workdir));
    }
    writeln!(out, "  {} {command}", pad(l("Command", "命令"), w))?;
    build_isolation(b, lang, color, out)?;
    build_result(b, lang, color, out)?;
    if let Some(e) = b.source_date_epoch {
        writeln!(out, "  {} {e}", pad("SOURCE_DATE_EPOCH", w))?;
    }
    for (i, t) in b.toolchain.iter().enumerate() {
        let label = if i == 0 {
            l("Toolchain", "工具链")
        } else {
            ""
        };
        let first = t.output.first().map_or("", String::as_str);
        let exit = match t.exit_code {
            Some(0) => String::new(),
            Some(c) => format!(" ({} {c})", l("exit", "退出状态")),
            None => format!(" ({})", l("did not run", "未能运行")),
        };
        writeln!(out, "  {} {} → {first}{exit}", pad(label, w), t.command)?;
    }
    if b.status == Status::Succeeded {
        if b.outputs.is_empty() {
            writeln!(
                out,
                "  {} {}",
                pad(l("Outputs", "产物"), w),
                dim.apply_to(l("none declared", "未声明"))
            )?;
        }
        for (i, o) in b.outputs.iter().enumerate() {
            let label = if i == 0 { l("Outputs", "产物") } else { "" };
            writeln!(
                out,
                "  {} {}  {}  sha256 {}",
                pad(label, w),
                o.path,
                human_bytes(o.size),
                &o.sha256[..o.sha256.len().min(16)]
            )?;
        }
    }
    build_rebuild(b, lang, color, out)?;
    writeln!(
        out,
        "  {} {} ({})",
        pad(l("Log", "日志"), w),
        b.log.path,
        human_bytes(b.log.bytes)
    )?;
    let shown = &b.log.tail[b.log.tail.len().saturating_sub(10)..];
    for line in shown {
        writeln!(out, "      {}", dim.apply_to(line))?;
    }
    writeln!(out)?;
    Ok(())
}

/// How the build was isolated, and its network.
fn build_isolation(b: &BuildInfo, lang: Lang, color: bool, out: &mut dyn Write) -> io::Result<()> {
    use super::IsolationInfo as Level;

    let (_, green, _, yellow, _) = Styles::new(color).parts();
    let l = |en, zh| lang.pick(en, zh);
    let w = 11;
    let isolation = match (lang, b.isolation) {
        (Lang::En, _) => b.isolation_detail.clone(),
        (Lang::Zh, Level::Bwrap) => {
            "bubblewrap：仅系统与工具链目录只读可见，仅编译副本可写，独立的 /tmp 与主目录，独立进程空间"
                .to_owned()
        }
        (Lang::Zh, Level::Landlock) => {
            "Landlock（较弱）：主机文件只读，仅编译副本可写；隔离网络与进程；主机 Unix 套接字未隐藏"
                .to_owned()
        }
        (Lang::Zh, Level::Unshare) => {
            "unshare（较弱）：仅隔离网络与进程，主机文件未受保护".to_owned()
        }
        (Lang::Zh, Level::None) => "无（--no-sandbox）：与本机共享网络、进程和文件".to_owned(),
    };
    let isolation = match (lang, &b.fallback_reason) {
        (Lang::Zh, Some(why)) => format!("{isolation}（原因：{why}）"),
        _ => isolation,
    };
    let iso_style = if b.isolation == Level::Bwrap {
        &green
    } else {
        &yellow
    };
    writeln!(
        out,
        "  {} {}",
        pad(l("Isolation", "隔离"), w),
        iso_style.apply_to(isolation)
    )?;
    let network = if b.network {
        yellow.apply_to(l(
            "allowed by the manifest (network = true)",
            "清单允许访问网络（network = true）",
        ))
    } else {
        green.apply_to(l("none (loopback only)", "无（仅本地回环）"))
    };
    writeln!(out, "  {} {network}", pad(l("Network", "网络"), w))?;
    Ok(())
}

/// How the build ended.
fn build_result(b: &BuildInfo, lang: Lang, color: bool, out: &mut dyn Write) -> io::Result<()> {
    use super::BuildStatusInfo as Status;
    use crate::build::human_duration;
    use std::time::Duration;
    let (_, green, red, _, _) = Styles::new(color).parts();
    let l = |en, zh| lang.pick(en, zh);
    let w = 11;
    let took = human_duration(Duration::from_millis(b.duration_ms));
    let result = match b.status {
        Status::Succeeded => green.apply_to(match lang {
            Lang::En => format!("succeeded in {took}"),
            Lang::Zh => format!("成功，用时 {took}"),
        }),
        Status::Failed => red.apply_to(match (lang, b.exit_code, b.signal) {
            (Lang::En, Some(c), _) => format!("FAILED: exit status {c} after {took}"),
            (Lang::En, None, Some(s)) => format!("FAILED: killed by signal {s} after {took}"),
            (Lang::En, _, _) => format!("FAILED after {took}"),
            (Lang::Zh, Some(c), _) => format!("失败：退出状态 {c}，用时 {took}"),
            (Lang::Zh, None, Some(s)) => format!("失败：被信号 {s} 终止，用时 {took}"),
            (Lang::Zh, _, _) => format!("失败，用时 {took}"),
        }),
        Status::TimedOut => red.apply_to(match lang {
            Lang::En => format!(
                "TIMED OUT after {} (every process stopped)",
                human_duration(Duration::from_secs(b.timeout_secs))
            ),
            Lang::Zh => format!(
                "超时：{} 后终止（全部进程已结束）",
                human_duration(Duration::from_secs(b.timeout_secs))
            ),
        }),
    };
    writeln!(out, "  {} {result}", pad(l("Result", "结果"), w))?;
    Ok(())
}

/// The second build of `--reproducible`, compared with the first.
fn build_rebuild(b: &BuildInfo, lang: Lang, color: bool, out: &mut dyn Write) -> io::Result<()> {
    use super::BuildStatusInfo as Status;

    let (_, green, _, yellow, _) = Styles::new(color).parts();
    let l = |en, zh| lang.pick(en, zh);
    let w = 11;
    if let Some(r) = &b.reproducible {
        let compared = b.status == Status::Succeeded && r.status == Status::Succeeded;
        let text = match (lang, r.differing.len()) {
            (Lang::En, _) if !compared => format!(
                "second build in {}: {}, outputs not compared",
                r.build_path,
                match r.status {
                    Status::Succeeded => "succeeded",
                    Status::Failed => "failed",
                    Status::TimedOut => "timed out",
                }
            ),
            (Lang::Zh, _) if !compared => format!(
                "第二次编译（{}）：{}，未比较产物",
                r.build_path,
                match r.status {
                    Status::Succeeded => "成功",
                    Status::Failed => "失败",
                    Status::TimedOut => "超时",
                }
            ),
            (Lang::En, 0) => format!("second build in {}: identical outputs", r.build_path),
            (Lang::En, n) => format!("second build in {}: {n} output(s) differ", r.build_path),
            (Lang::Zh, 0) => format!("第二次编译（{}）：产物完全相同", r.build_path),
            (Lang::Zh, n) => format!("第二次编译（{}）：{n} 个产物不同", r.build_path),
        };
        let style = if r.differing.is_empty() {
            &green
        } else {
            &yellow
        };
        writeln!(
            out,
            "  {} {}",
            pad(l("Rebuild", "重复编译"), w),
            style.apply_to(text)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str, direct: bool, files: u64) -> FolderInfo {
        FolderInfo {
            folder: name.to_owned(),
            direct,
            files,
            bytes: files * 1024,
            languages: vec![super::super::LanguageInfo {
                language: "java".to_owned(),
                files,
            }],
        }
    }

    fn summary(u: &UncoveredInfo, lang: Lang) -> String {
        let mut out = Vec::new();
        uncovered_summary(u, lang, false, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Ten folders shown and the rest counted; the top, a folder's own files, third-party code
    /// and other files each named plainly.
    #[test]
    fn the_uncovered_summary_shows_ten_folders_and_names_the_rest() {
        let mut folders: Vec<FolderInfo> = (0..12)
            .map(|i| folder(&format!("m{i:02}"), false, 20 - i))
            .collect();
        folders.push(folder("his", true, 2));
        folders.push(folder(".", true, 1));
        let u = UncoveredInfo {
            source_files: 400,
            files: 200,
            bytes: 204_800,
            folders,
            third_party_files: 7,
            third_party_bytes: 700,
            third_party_folders: vec![folder("web/node_modules", false, 7)],
            other_files: 3,
            other_bytes: 300,
        };
        let en = summary(&u, Lang::En);
        assert!(
            en.contains("200 of the 400 delivered source files (50%, 200.0 KB)"),
            "{en}"
        );
        assert!(en.contains("    m00/  20 files"), "{en}");
        assert!(en.contains("m09/") && !en.contains("m10/"), "{en}");
        assert!(en.contains("… 4 more folders; the JSON report"), "{en}");
        assert!(
            en.contains("Third-party code, not counted above: 7 files, 700 B in web/node_modules/"),
            "{en}"
        );
        assert!(
            en.contains("(images, documents, binaries, …): 3 files, 300 B"),
            "{en}"
        );
        let zh = summary(&u, Lang::Zh);
        assert!(
            zh.contains("交付的 400 个源代码文件中有 200 个（50%，200.0 KB）"),
            "{zh}"
        );
        assert!(zh.contains("… 另有 4 个目录未列出"), "{zh}");
        assert_eq!(
            folder_label(&u.folders[12], Lang::En),
            "his/ (files directly in it)"
        );
        assert_eq!(folder_label(&u.folders[13], Lang::Zh), "（根目录）");
        let none = UncoveredInfo {
            source_files: 40,
            ..UncoveredInfo::default()
        };
        assert!(
            summary(&none, Lang::En).contains("none: every one of the 40 delivered source files")
        );
    }

    #[test]
    fn command_lines_quote_what_the_shell_would_split() {
        assert_eq!(shell_word("manifests/his.toml"), "manifests/his.toml");
        assert_eq!(shell_word("交付物/v2.tar.gz"), "交付物/v2.tar.gz");
        assert_eq!(shell_word("My Delivery"), "'My Delivery'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
    }
}
