//! `manifest check`: whether a manifest loads, what it asks for, and (with `--against`) what
//! each of its globs matches in a delivery, with a warning for every glob that matches nothing
//! and the delivered source no requirement covers.

use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::pick;
use super::status::{Chapters, footer, table};
use crate::checks::config::RequirementKind;
use crate::checks::matches::{GlobMatch, Matches, RequirementMatch};
use crate::delivery::Delivery;
use crate::manifest::{Manifest, ManifestProblem};
use crate::report::page::{Block, Field, Page, Text, Tone};
use crate::report::{Document, HumanStyle, Lang, RequirementKindInfo, UncoveredInfo};

/// The `manifest-check` document's schema version.
pub const SCHEMA_VERSION: u32 = 1;
/// The `manifest-check` document's name.
pub const DOCUMENT: &str = "manifest-check";

/// A manifest validated on its own, and against a delivery when one was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestCheckDoc {
    /// The `manifest-check` document's schema version: currently 1.
    pub schema_version: u32,
    /// Always `manifest-check`.
    pub document: String,
    /// The manifest's path as given.
    pub manifest: String,
    /// Whether it loads: `false` with every problem in `problems` (and exit code 2).
    pub valid: bool,
    /// Every problem of an invalid manifest, in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ProblemDoc>,
    /// What a valid manifest asks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<ManifestSummaryDoc>,
    /// What its globs match in the delivery given with `--against`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub against: Option<AgainstDoc>,
}

/// One problem of an invalid manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProblemDoc {
    /// The line, from 1.
    pub line: usize,
    /// The column in characters, from 1.
    pub col: usize,
    /// What is wrong there and how to fix it.
    pub message: String,
}

/// What a valid manifest asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestSummaryDoc {
    /// `[[module]]` entries.
    pub modules: u64,
    /// `[[document]]` entries.
    pub documents: u64,
    /// `[[database]]` entries.
    pub databases: u64,
    /// `[[dependencies]]` entries.
    pub dependency_lists: u64,
    /// Whether it has a `[build]` table.
    pub build: bool,
    /// Whether the technical-barrier scan is on (`[scan] enabled`).
    pub scan: bool,
    /// `[[rule]]` entries: scan rules of its own or overriding built-in ones.
    pub scan_rules: u64,
    /// `[scan] vendored` globs.
    pub vendored: u64,
    /// `[[allow]]` entries.
    pub allow: u64,
    /// `[severity]` overrides.
    pub severity: u64,
}

/// What the manifest's globs match in a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgainstDoc {
    /// The delivery's path as given.
    pub delivery: String,
    /// Its regular files.
    pub files: u64,
    /// One entry per requirement, in manifest order.
    pub requirements: Vec<RequirementMatchDoc>,
    /// Every glob that matches nothing, in manifest order.
    pub warnings: Vec<GlobWarningDoc>,
    /// The delivered files no requirement matches, as the check report's `uncovered`.
    pub uncovered: UncoveredInfo,
}

/// What one requirement's globs match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequirementMatchDoc {
    /// Its kind.
    pub kind: RequirementKindInfo,
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Files any of its `paths` globs matches, each counted once.
    pub files: u64,
    /// The first of them, in path order.
    pub sample: Vec<String>,
    /// Each `paths` glob.
    pub globs: Vec<GlobMatchDoc>,
    /// Each `required-files` glob (matching files, folders or links).
    pub required_files: Vec<GlobMatchDoc>,
}

/// What one glob matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlobMatchDoc {
    /// The glob as written.
    pub glob: String,
    /// Its line in the manifest, from 1.
    pub line: usize,
    /// What it matches.
    pub matches: u64,
    /// The first of them, in path order.
    pub sample: Vec<String>,
}

/// A glob that matches nothing in the delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlobWarningDoc {
    /// The glob's line in the manifest, from 1.
    pub line: usize,
    /// The requirement's id.
    pub requirement: String,
    /// The glob as written.
    pub glob: String,
    /// `paths` or `required-files`.
    pub key: String,
    /// What it means and what to do, in English.
    pub message: String,
    /// The same in Chinese.
    pub message_zh: String,
}

impl ManifestCheckDoc {
    /// The document of a manifest that loads, with what its globs match in `against`.
    pub fn new(manifest: &Manifest, against: Option<(&Delivery, &Matches)>) -> ManifestCheckDoc {
        let count = |k: RequirementKind| {
            manifest.requirements.iter().filter(|r| r.kind == k).count() as u64
        };
        ManifestCheckDoc {
            schema_version: SCHEMA_VERSION,
            document: DOCUMENT.to_owned(),
            manifest: manifest.path.display().to_string(),
            valid: true,
            problems: Vec::new(),
            summary: Some(ManifestSummaryDoc {
                modules: count(RequirementKind::Module),
                documents: count(RequirementKind::Document),
                databases: count(RequirementKind::Database),
                dependency_lists: count(RequirementKind::Dependencies),
                build: manifest.build.is_some(),
                scan: manifest.scan.enabled,
                scan_rules: manifest.scan.rules.len() as u64,
                vendored: manifest.scan.vendored.len() as u64,
                allow: manifest.allow.len() as u64,
                severity: manifest.severities.len() as u64,
            }),
            against: against.map(|(d, m)| AgainstDoc::new(d, m)),
        }
    }

    /// The document of a manifest at `path` that does not load, with every problem.
    pub fn invalid(path: &Path, problems: &[ManifestProblem]) -> ManifestCheckDoc {
        ManifestCheckDoc {
            schema_version: SCHEMA_VERSION,
            document: DOCUMENT.to_owned(),
            manifest: path.display().to_string(),
            valid: false,
            problems: problems
                .iter()
                .map(|p| ProblemDoc {
                    line: p.line,
                    col: p.col,
                    message: p.message.clone(),
                })
                .collect(),
            summary: None,
            against: None,
        }
    }
}

impl GlobMatchDoc {
    fn new(g: &GlobMatch) -> GlobMatchDoc {
        GlobMatchDoc {
            glob: g.glob.clone(),
            line: g.line,
            matches: g.matches,
            sample: g.sample.clone(),
        }
    }
}

impl AgainstDoc {
    fn new(delivery: &Delivery, m: &Matches) -> AgainstDoc {
        AgainstDoc {
            delivery: delivery.source.path.clone(),
            files: delivery.inventory.file_count(),
            requirements: m
                .requirements
                .iter()
                .map(|r| RequirementMatchDoc {
                    kind: RequirementKindInfo::new(r.kind),
                    id: r.id.clone(),
                    name: r.name.clone(),
                    files: r.files,
                    sample: r.sample.clone(),
                    globs: r.globs.iter().map(GlobMatchDoc::new).collect(),
                    required_files: r.required_files.iter().map(GlobMatchDoc::new).collect(),
                })
                .collect(),
            warnings: warnings(&m.requirements),
            uncovered: UncoveredInfo::new(&m.coverage),
        }
    }
}

/// A warning for every glob that matches nothing, in manifest order.
fn warnings(requirements: &[RequirementMatch]) -> Vec<GlobWarningDoc> {
    let mut out = Vec::new();
    for r in requirements {
        let kind = RequirementKindInfo::new(r.kind);
        for g in r.globs.iter().filter(|g| g.matches == 0) {
            let (message, message_zh) = if r.files == 0 {
                (
                    format!(
                        "{} {:?}: the glob {:?} matches no delivered file, and nor does any other of its paths: `escrow check` will find it missing; compare the glob with the delivery's folder names",
                        kind.as_str(),
                        r.id,
                        g.glob
                    ),
                    format!(
                        "{}「{}」：路径 {:?} 未匹配任何交付文件，其他路径也都未匹配：`escrow check` 将判定其缺失；请对照交付物中的实际目录名检查该路径",
                        kind.zh(),
                        r.id,
                        g.glob
                    ),
                )
            } else {
                (
                    format!(
                        "{} {:?}: the glob {:?} matches no delivered file (its other paths match {}); check it is spelt as the vendor's folders are, or remove it",
                        kind.as_str(),
                        r.id,
                        g.glob,
                        plural(r.files, "file", "files")
                    ),
                    format!(
                        "{}「{}」：路径 {:?} 未匹配任何交付文件（其他路径匹配到 {} 个文件）；请核对其拼写是否与供应商的目录名一致，或将其删除",
                        kind.zh(),
                        r.id,
                        g.glob,
                        r.files
                    ),
                )
            };
            out.push(GlobWarningDoc {
                line: g.line,
                requirement: r.id.clone(),
                glob: g.glob.clone(),
                key: "paths".to_owned(),
                message,
                message_zh,
            });
        }
        for g in r.required_files.iter().filter(|g| g.matches == 0) {
            out.push(GlobWarningDoc {
                line: g.line,
                requirement: r.id.clone(),
                glob: g.glob.clone(),
                key: "required-files".to_owned(),
                message: format!(
                    "{} {:?}: the required file {:?} matches nothing in the delivery: `escrow check` will report required-file-missing; check the path, or ask the vendor for the file",
                    kind.as_str(),
                    r.id,
                    g.glob
                ),
                message_zh: format!(
                    "{}「{}」：必需文件 {:?} 在交付物中不存在：`escrow check` 将报告 required-file-missing；请核对路径，或要求供应商补交该文件",
                    kind.zh(),
                    r.id,
                    g.glob
                ),
            });
        }
    }
    out.sort_by_key(|w| w.line);
    out
}

/// Paths a requirement's line names in the human output.
const SHOWN: usize = 3;

/// "1 file", "3 files", "3 个文件".
fn files(n: u64, lang: Lang) -> String {
    match lang {
        Lang::En => plural(n, "file", "files"),
        Lang::Zh => format!("{n} 个文件"),
    }
}

/// `n` and its noun, singular for 1.
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl ManifestCheckDoc {
    fn page_verdict(&self, lang: Lang) -> Block {
        let warnings = self.against.as_ref().map_or(0, |a| a.warnings.len());
        let (headline, detail, tone) = match (self.valid, warnings, lang) {
            (false, _, Lang::En) => (
                "INVALID".to_owned(),
                format!("{} problems; fix them and run again.", self.problems.len()),
                Tone::Bad,
            ),
            (false, _, Lang::Zh) => (
                "清单无效".to_owned(),
                format!("共 {} 个问题；请修正后重新运行。", self.problems.len()),
                Tone::Bad,
            ),
            (true, 0, _) => (
                pick(lang, "VALID", "清单有效").to_owned(),
                pick(lang, "The manifest loads.", "清单可以正常加载。").to_owned()
                    + if self.against.is_some() {
                        pick(
                            lang,
                            " Every glob matches something in the delivery.",
                            "每个路径都匹配到了交付物中的内容。",
                        )
                    } else {
                        ""
                    },
                Tone::Good,
            ),
            (true, n, Lang::En) => (
                "VALID, with warnings".to_owned(),
                format!(
                    "The manifest loads, but {n} of its globs match nothing in the delivery: `escrow check` will report what they ask for as missing."
                ),
                Tone::Warn,
            ),
            (true, n, Lang::Zh) => (
                "清单有效，但有警告".to_owned(),
                format!(
                    "清单可以正常加载，但有 {n} 个路径未匹配交付物中的任何内容：`escrow check` 将判定其要求的内容缺失。"
                ),
                Tone::Warn,
            ),
        };
        Block::Verdict {
            headline,
            detail,
            tone,
        }
    }

    fn summary_fields(s: &ManifestSummaryDoc, lang: Lang) -> Block {
        let pk = |en, zh| pick(lang, en, zh);
        let yes_no = |b: bool, en_y, en_n, zh_y, zh_n| {
            pick(
                lang,
                if b { en_y } else { en_n },
                if b { zh_y } else { zh_n },
            )
            .to_owned()
        };
        Block::Fields(vec![
            Field::new(pk("Modules", "模块"), s.modules.to_string()),
            Field::new(pk("Documents", "文档"), s.documents.to_string()),
            Field::new(
                pk("Database scripts", "数据库脚本"),
                s.databases.to_string(),
            ),
            Field::new(
                pk("Dependency lists", "依赖清单"),
                s.dependency_lists.to_string(),
            ),
            Field::new(
                pk("Build", "编译配置"),
                yes_no(
                    s.build,
                    "[build] given",
                    "no [build]",
                    "有 [build]",
                    "无 [build]",
                ),
            ),
            Field::new(
                pk("Technical-barrier scan", "技术壁垒扫描"),
                yes_no(s.scan, "on", "off", "开启", "关闭"),
            ),
            Field::new(
                pk("Scan rules of its own", "自定义扫描规则"),
                s.scan_rules.to_string(),
            ),
            Field::new(
                pk("Vendored globs", "vendored 路径"),
                s.vendored.to_string(),
            ),
            Field::new(
                pk("[[allow]] entries", "[[allow]] 条目"),
                s.allow.to_string(),
            ),
            Field::new(
                pk("[severity] overrides", "[severity] 覆盖"),
                s.severity.to_string(),
            ),
        ])
    }

    /// One row per glob: the requirement, the glob's line, what it matches.
    fn glob_rows(a: &AgainstDoc, lang: Lang) -> Vec<Vec<Text>> {
        let mut rows = Vec::new();
        for r in &a.requirements {
            let req = format!(
                "{} {} {}",
                pick(lang, r.kind.as_str(), r.kind.zh()),
                r.id,
                r.name
            );
            let both = r.globs.iter().map(|g| (g, "")).chain(
                r.required_files
                    .iter()
                    .map(|g| (g, pick(lang, "required: ", "必需："))),
            );
            for (g, prefix) in both {
                let matched = if g.matches == 0 {
                    Text::toned(
                        pick(lang, "0: matches nothing", "0：未匹配任何内容"),
                        Tone::Warn,
                    )
                } else {
                    Text::plain(g.matches.to_string())
                };
                let mut sample = g
                    .sample
                    .iter()
                    .take(SHOWN)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                if g.matches > SHOWN as u64 {
                    sample.push_str(", …");
                }
                rows.push(vec![
                    Text::plain(req.clone()),
                    Text::plain(g.line.to_string()),
                    Text::mono(format!("{prefix}{}", g.glob)),
                    matched,
                    Text::mono(sample),
                ]);
            }
        }
        rows
    }

    /// The printable manifest check.
    fn check_page(&self, lang: Lang) -> Page {
        let pk = |en, zh| pick(lang, en, zh);
        let mut page = Page::new(lang, pk("Manifest check", "托管清单检查"));
        page.subtitle = Some(self.manifest.clone());
        page.footer = footer(&format!(
            "{} · {}",
            pk("manifest check", "清单检查"),
            self.manifest
        ));
        page.push(self.page_verdict(lang));
        let mut ch = Chapters::new(lang);
        let problems = self
            .problems
            .iter()
            .map(|p| {
                vec![
                    Text::mono(format!("{}:{}", p.line, p.col)),
                    Text::toned(p.message.clone(), Tone::Bad),
                ]
            })
            .collect();
        if let Some(t) = table(
            &[pk("Line:col", "行:列"), pk("Problem", "问题")],
            &[10, 90],
            problems,
        ) {
            ch.next(&mut page, "Problems", "问题");
            page.push(t);
        }
        if let Some(s) = &self.summary {
            ch.next(&mut page, "What the manifest asks for", "清单要求");
            page.push(Self::summary_fields(s, lang));
        }
        if let Some(a) = &self.against {
            ch.next(&mut page, "Matched against the delivery", "与交付物的匹配");
            page.push(Block::Fields(vec![
                Field::new(pk("Delivery", "交付物"), Text::mono(a.delivery.clone())),
                Field::new(pk("Files", "文件数"), files(a.files, lang)),
            ]));
            let header = [
                pk("Requirement", "要求"),
                pk("Line", "行"),
                pk("Glob", "路径"),
                pk("Matches", "匹配数"),
                pk("First matches", "匹配示例"),
            ];
            if let Some(t) = table(&header, &[24, 6, 26, 12, 32], Self::glob_rows(a, lang)) {
                page.push(t);
            }
            if !a.warnings.is_empty() {
                ch.next(&mut page, "Warnings", "警告");
                page.push(Block::List {
                    ordered: true,
                    items: a
                        .warnings
                        .iter()
                        .map(|w| {
                            Text::toned(
                                format!(
                                    "{}:{}: {}",
                                    self.manifest,
                                    w.line,
                                    pick(lang, &w.message, &w.message_zh)
                                ),
                                Tone::Warn,
                            )
                        })
                        .collect(),
                });
            }
            ch.next(
                &mut page,
                "Source not covered by any requirement",
                "未被任何要求覆盖的源代码",
            );
            for b in uncovered_blocks(&a.uncovered, lang) {
                page.push(b);
            }
        }
        page
    }
}

/// What the delivery holds that no requirement covers: a sentence and the top folders.
fn uncovered_blocks(u: &UncoveredInfo, lang: Lang) -> Vec<Block> {
    let pk = |en, zh| pick(lang, en, zh);
    let mut blocks = vec![Block::Paragraph(if u.files == 0 {
        Text::toned(
            match lang {
                Lang::En => format!(
                    "None: every one of the {} delivered source files matches a requirement.",
                    u.source_files
                ),
                Lang::Zh => format!("无：交付的 {} 个源代码文件均匹配某项要求。", u.source_files),
            },
            Tone::Good,
        )
    } else {
        Text::toned(
            match lang {
                Lang::En => format!(
                    "{} of the {} delivered source files match no requirement of the manifest.",
                    u.files, u.source_files
                ),
                Lang::Zh => format!(
                    "交付的 {} 个源代码文件中有 {} 个不匹配清单中的任何要求。",
                    u.source_files, u.files
                ),
            },
            Tone::Warn,
        )
    })];
    let folders = u
        .folders
        .iter()
        .take(10)
        .map(|f| {
            vec![
                Text::mono(f.folder.clone()),
                Text::plain(f.files.to_string()),
            ]
        })
        .collect();
    if let Some(t) = table(
        &[pk("Folder", "目录"), pk("Files", "文件数")],
        &[70, 30],
        folders,
    ) {
        blocks.push(t);
    }
    blocks
}

impl Document for ManifestCheckDoc {
    fn page(&self, lang: Lang) -> Option<Page> {
        Some(self.check_page(lang))
    }

    fn render_human(&self, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        let lang = style.lang;
        writeln!(out, "escrow manifest check: {}", self.manifest)?;
        if !self.valid {
            for p in &self.problems {
                writeln!(
                    out,
                    "  {}:{}:{}: {}",
                    self.manifest, p.line, p.col, p.message
                )?;
            }
            return match lang {
                Lang::En => writeln!(
                    out,
                    "invalid: {} problems; fix them and run again",
                    self.problems.len()
                ),
                Lang::Zh => writeln!(
                    out,
                    "清单无效：共 {} 个问题；请修正后重新运行",
                    self.problems.len()
                ),
            };
        }
        if let Some(s) = &self.summary {
            summary(s, lang, out)?;
        }
        if let Some(a) = &self.against {
            against(&self.manifest, a, lang, style.color, out)?;
        }
        Ok(())
    }
}

/// The line saying what a valid manifest asks for.
fn summary(s: &ManifestSummaryDoc, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    match lang {
        Lang::En => {
            let on = if s.scan { "on" } else { "off" };
            let build = if s.build { "a [build]" } else { "no [build]" };
            writeln!(
                out,
                "  valid: {}, {}, {}, {}; {build}; scan {on} ({} of its own, {}, {}); {}",
                plural(s.modules, "module", "modules"),
                plural(s.documents, "document", "documents"),
                plural(s.databases, "database entry", "database entries"),
                plural(s.dependency_lists, "dependency list", "dependency lists"),
                plural(s.scan_rules, "rule", "rules"),
                plural(s.vendored, "vendored glob", "vendored globs"),
                plural(s.allow, "[[allow]] entry", "[[allow]] entries"),
                plural(s.severity, "[severity] override", "[severity] overrides"),
            )
        }
        Lang::Zh => {
            let on = if s.scan { "开启" } else { "关闭" };
            let build = if s.build {
                "有 [build] 编译配置"
            } else {
                "无 [build] 编译配置"
            };
            writeln!(
                out,
                "  清单有效：模块 {} 项，文档 {} 项，数据库脚本 {} 项，依赖清单 {} 项；{build}；技术壁垒扫描{on}（自定义规则 {} 条，vendored 路径 {} 条，[[allow]] {} 条）；[severity] 覆盖 {} 项",
                s.modules,
                s.documents,
                s.databases,
                s.dependency_lists,
                s.scan_rules,
                s.vendored,
                s.allow,
                s.severity
            )
        }
    }
}

/// What each requirement's globs match, the warnings and the uncovered source.
fn against(
    manifest: &str,
    a: &AgainstDoc,
    lang: Lang,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out)?;
    match lang {
        Lang::En => writeln!(
            out,
            "Matched against {} ({}):",
            a.delivery,
            files(a.files, lang)
        )?,
        Lang::Zh => writeln!(
            out,
            "与交付物 {}（{}）的匹配结果：",
            a.delivery,
            files(a.files, lang)
        )?,
    }
    for r in &a.requirements {
        let kind = pick(lang, r.kind.as_str(), r.kind.zh());
        writeln!(
            out,
            "  {kind} {} {}{}{}",
            r.id,
            r.name,
            pick(lang, ": ", "："),
            files(r.files, lang)
        )?;
        for g in &r.globs {
            glob_line(pick(lang, "line", "第"), g, "", lang, out)?;
        }
        for g in &r.required_files {
            glob_line(
                pick(lang, "line", "第"),
                g,
                pick(lang, "required: ", "必需："),
                lang,
                out,
            )?;
        }
    }
    writeln!(out)?;
    if a.warnings.is_empty() {
        writeln!(
            out,
            "{}",
            pick(
                lang,
                "Every glob matches something in the delivery.",
                "每个路径都匹配到了交付物中的内容。"
            )
        )?;
    } else {
        match lang {
            Lang::En => writeln!(out, "Warnings ({}):", a.warnings.len())?,
            Lang::Zh => writeln!(out, "警告（{} 条）：", a.warnings.len())?,
        }
        for w in &a.warnings {
            writeln!(
                out,
                "  {manifest}:{}: {}",
                w.line,
                pick(lang, &w.message, &w.message_zh)
            )?;
        }
    }
    writeln!(out)?;
    crate::report::human::uncovered_summary(&a.uncovered, lang, color, out)
}

/// One glob: its line, what it matches and the first paths.
fn glob_line(
    line_word: &str,
    g: &GlobMatchDoc,
    prefix: &str,
    lang: Lang,
    out: &mut dyn Write,
) -> io::Result<()> {
    let line = match lang {
        Lang::En => format!("{line_word} {}", g.line),
        Lang::Zh => format!("{line_word} {} 行", g.line),
    };
    let matched = match (lang, prefix.is_empty()) {
        (_, true) => files(g.matches, lang),
        (Lang::En, false) => format!("{} matches", g.matches),
        (Lang::Zh, false) => format!("匹配 {} 项", g.matches),
    };
    let mut sample = g
        .sample
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if g.matches > SHOWN as u64 {
        sample.push_str(", …");
    }
    let nothing = pick(lang, "  ← matches nothing", "  ← 未匹配任何内容");
    writeln!(
        out,
        "    {line}  {prefix}{}  {matched}{}",
        g.glob,
        if g.matches == 0 {
            nothing.to_owned()
        } else {
            format!("{}{sample}", pick(lang, ": ", "："))
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::coverage;
    use crate::checks::matches::{GLOB_SAMPLE, matches};
    use crate::delivery::{Entry, EntryKind};

    const MANIFEST: &str = r#"schema-version = 1
[[module]]
id = "register"
name = "挂号"
paths = [
  "his/registration/**",
  "his/his-register/**",
  "his/**/*.java",
]
required-files = ["his/his-register/pom.xml", "his/registration"]
"#;

    fn entry(path: &str, kind: EntryKind) -> Entry {
        Entry {
            path: path.as_bytes().into(),
            kind,
            mode: 0o100_644,
            size: 10,
            sha256: None,
            link_target: None,
        }
    }

    #[test]
    fn each_glob_counts_its_files_with_its_line() {
        let m = crate::manifest::parse(MANIFEST).unwrap();
        let entries = vec![
            entry("his", EntryKind::Dir),
            entry("his/his-register", EntryKind::Dir),
            entry("his/his-register/A.java", EntryKind::File),
            entry("his/his-register/B.java", EntryKind::File),
            entry("his/his-register/pom.xml", EntryKind::File),
            entry("his/tools/C.java", EntryKind::File),
            entry("his/tools/D.java", EntryKind::File),
            entry("his/tools/x.py", EntryKind::File),
        ];
        let exts = m.source_extensions.clone();
        let got = matches(
            &m.requirements,
            coverage::Rules {
                source_extensions: &exts,
                vendored: &globset::GlobSet::empty(),
            },
            &entries,
        );
        let r = &got.requirements[0];
        assert_eq!(r.files, 5, "each file once, whichever globs match it");
        assert_eq!(r.sample[0], "his/his-register/A.java");
        let globs: Vec<(&str, usize, u64)> = r
            .globs
            .iter()
            .map(|g| (g.glob.as_str(), g.line, g.matches))
            .collect();
        assert_eq!(
            globs,
            [
                ("his/registration/**", 6, 0),
                ("his/his-register/**", 7, 3),
                ("his/**/*.java", 8, 4),
            ]
        );
        assert_eq!(r.globs[2].sample.len(), GLOB_SAMPLE);
        let required: Vec<(&str, usize, u64)> = r
            .required_files
            .iter()
            .map(|g| (g.glob.as_str(), g.line, g.matches))
            .collect();
        assert_eq!(
            required,
            [
                ("his/his-register/pom.xml", 10, 1),
                ("his/registration", 10, 0)
            ]
        );
        assert_eq!(got.coverage.uncovered.files, 1, "his/tools/x.py");
        assert_eq!(got.coverage.source_files, 5);
        // The document warns for each glob matching nothing, at its line.
        let w = warnings(&got.requirements);
        let got: Vec<(usize, &str, &str)> = w
            .iter()
            .map(|w| (w.line, w.glob.as_str(), w.key.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (6, "his/registration/**", "paths"),
                (10, "his/registration", "required-files"),
            ]
        );
        assert!(
            w[0].message.contains("its other paths match 5 files"),
            "{}",
            w[0].message
        );
    }

    #[test]
    fn the_manifest_check_page_lists_problems_and_glob_matches() {
        let problems = [ManifestProblem {
            line: 3,
            col: 7,
            message: "unknown key `pathz`".to_owned(),
        }];
        let bad = ManifestCheckDoc::invalid(Path::new("m.toml"), &problems);
        let zh = bad.page(Lang::Zh).unwrap();
        let Block::Verdict { tone, headline, .. } = &zh.blocks[0] else {
            panic!()
        };
        assert_eq!((*tone, headline.as_str()), (Tone::Bad, "清单无效"));
        let t = format!("{zh:?}");
        assert!(
            t.contains("一、问题") && t.contains("\"3:7\"") && t.contains("unknown key `pathz`"),
            "{t}"
        );
        assert!(
            !t.contains("二、"),
            "no other chapter for an invalid manifest: {t}"
        );

        let m = crate::manifest::parse(MANIFEST).unwrap();
        let entries = vec![
            entry("his", EntryKind::Dir),
            entry("his/his-register", EntryKind::Dir),
            entry("his/his-register/A.java", EntryKind::File),
            entry("his/his-register/pom.xml", EntryKind::File),
        ];
        let exts = m.source_extensions.clone();
        let got = matches(
            &m.requirements,
            coverage::Rules {
                source_extensions: &exts,
                vendored: &globset::GlobSet::empty(),
            },
            &entries,
        );
        let doc = ManifestCheckDoc {
            against: Some(AgainstDoc {
                delivery: "his".to_owned(),
                files: 2,
                requirements: Vec::new(),
                warnings: warnings(&got.requirements),
                uncovered: UncoveredInfo::new(&got.coverage),
            }),
            ..ManifestCheckDoc::new(&m, None)
        };
        let mut doc = doc;
        if let Some(a) = doc.against.as_mut() {
            a.requirements = got
                .requirements
                .iter()
                .map(|r| RequirementMatchDoc {
                    kind: RequirementKindInfo::new(r.kind),
                    id: r.id.clone(),
                    name: r.name.clone(),
                    files: r.files,
                    sample: r.sample.clone(),
                    globs: r.globs.iter().map(GlobMatchDoc::new).collect(),
                    required_files: r.required_files.iter().map(GlobMatchDoc::new).collect(),
                })
                .collect();
        }
        let en = doc.page(Lang::En).unwrap();
        let Block::Verdict { tone, .. } = &en.blocks[0] else {
            panic!()
        };
        assert_eq!(*tone, Tone::Warn, "a glob matching nothing is a warning");
        let table = en
            .blocks
            .iter()
            .find_map(|b| match b {
                Block::Table(t) if t.header[1] == "Line" => Some(t),
                _ => None,
            })
            .unwrap();
        let rows: Vec<(&str, &str, Tone)> = table
            .rows
            .iter()
            .map(|r| (r[1].text.as_str(), r[2].text.as_str(), r[3].tone))
            .collect();
        assert_eq!(rows[0], ("6", "his/registration/**", Tone::Warn));
        assert_eq!(rows[1], ("7", "his/his-register/**", Tone::Plain));
        assert_eq!(rows[4], ("10", "required: his/registration", Tone::Warn));
        let t = format!("{en:?}");
        for fact in [
            "1. What the manifest asks for",
            "2. Matched against the delivery",
            "3. Warnings",
            "4. Source not covered",
        ] {
            assert!(t.contains(fact), "{fact} missing: {t}");
        }
    }
}
