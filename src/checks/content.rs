//! What a `[[document]]` says: each matched document's text read (`doctext`), judged a
//! placeholder or not, and compared with what the code holds (`covers`): the tables the
//! database scripts create, the dependencies the dependency files declare, the HTTP endpoints
//! the code serves, the build tools the build files need. Criterion ④ of the contract
//! (文档完整性): the documents must explain the code structure, interface parameters, database
//! design and dependency environment well enough for the hospital to maintain the system.
//! Codes: `document-unreadable`, `document-placeholder`, `document-tables-undocumented`,
//! `document-dependencies-undocumented`, `document-versions-differ`,
//! `document-endpoints-undocumented`, `document-build-tools-undocumented`.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::codes::CheckCode;
use super::config::{Covers, Requirement};
use super::facts::Facts;
use super::mention;
use crate::delivery::{Delivery, DeliveryError, Entry};
use crate::doctext::{self, Limits, Unreadable};
use crate::finding::Finding;

/// Documents read per requirement at most (the largest first): a glob matching a folder of
/// hundreds of files is a manifest mistake or padding, and reading them all would only slow
/// the check. The rest are named in a `document-unreadable` finding, never skipped silently.
pub const MAX_DOCUMENTS: usize = 50;

/// The text kept of one document: 2 MiB, some 700,000 Chinese characters, more than any real
/// companion document; with [`MAX_DOCUMENTS`] it bounds a requirement's text to 100 MiB.
pub const MAX_TEXT: usize = 2 << 20;

/// The time the documents of one requirement may take to read, in all (each one has its own
/// 10 seconds as well): 30 seconds, so that a delivery of slow documents cannot hold the
/// check for hours. Documents not read in time are named in a `document-unreadable` finding.
pub const TIME_BUDGET: std::time::Duration = std::time::Duration::from_secs(30);

/// Missing items a finding's evidence lists; the JSON report's `cross_checks` lists them all.
pub const EVIDENCE_ITEMS: usize = 20;

/// One template phrase in this many words makes a document a template, whatever its length
/// (a form whose every section says "待补充").
const WORDS_PER_TEMPLATE_PHRASE: u64 = 50;

/// Text in English and Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bilingual {
    /// English.
    pub en: String,
    /// Chinese.
    pub zh: String,
}

/// One matched document as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentText {
    /// Its path in the delivery, readable form.
    pub path: String,
    /// The format it was read as ("docx", "pdf", "markdown", …); `None` when unreadable.
    pub format: Option<String>,
    /// Its words (字数, [`doctext::word_count`]); `None` when unreadable.
    pub words: Option<u64>,
    /// Its text was read.
    pub readable: bool,
    /// On its own, it is a placeholder: fewer words than `min-words`, or a template.
    pub placeholder: bool,
    /// The text encoding of a text format ("UTF-8", "GB18030/GBK", …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Its text was longer than the reader keeps and was cut.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// Template phrases ("待补充", "TBD", …) found, how many times in all.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub template_phrases: u64,
    /// Why its text could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<Bilingual>,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A version a document gives for a dependency, other than the declared one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionDiffers {
    /// The dependency's name.
    pub name: String,
    /// The version a dependency file declares.
    pub declared: String,
    /// The version the document gives.
    pub documented: String,
}

/// One `covers` entry compared with the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrossCheck {
    /// What the document must name.
    pub covers: Covers,
    /// The items the code holds (tables, dependencies, endpoints, build tools).
    pub items: u64,
    /// Of them, those the document names.
    pub named: u64,
    /// `named` in percent of `items`, rounded down; 100 when there are no items.
    pub percent: u8,
    /// The percentage required (`min-coverage`).
    pub min_percent: u8,
    /// Every item the document does not name, as the report shows it.
    pub missing: Vec<String>,
    /// Dependencies whose documented version differs from the declared one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions_differ: Vec<VersionDiffers>,
}

/// What reading a document requirement's files gave.
pub(crate) struct Content {
    /// Each file read (or not), in the order of the files given.
    pub documents: Vec<DocumentText>,
    /// The cross-checks of `covers`, in manifest order (those needing the code).
    pub cross_checks: Vec<CrossCheck>,
    /// Each readable document's path (readable form) and text, for change notes.
    pub texts: Vec<(String, String)>,
    /// The findings.
    pub findings: Vec<Finding>,
}

/// The rule of one `[[document]]`, as the content check needs it.
pub(crate) struct Rule<'a> {
    pub min_words: u64,
    pub covers: &'a [Covers],
    pub min_coverage: Option<u8>,
}

/// Read the documents `files` of `req` (those that are not what their extension says already
/// left out by the caller) and judge them.
pub(crate) fn check(
    req: &Requirement,
    files: &[&Entry],
    rule: &Rule<'_>,
    facts: &Facts,
    delivery: &Delivery,
) -> Result<Content, DeliveryError> {
    let mut order: Vec<&Entry> = files.to_vec();
    order.sort_by_key(|e| std::cmp::Reverse(e.size));
    let left_out: Vec<String> = order
        .iter()
        .skip(MAX_DOCUMENTS)
        .map(|e| e.display_path())
        .collect();
    order.truncate(MAX_DOCUMENTS);
    let deadline = std::time::Instant::now() + TIME_BUDGET;
    let mut read: Vec<(DocumentText, String)> = order
        .par_iter()
        .map(|e| read_one(e, delivery, deadline))
        .collect::<Result<_, _>>()?;
    for (d, _) in &mut read {
        if let Some(words) = d.words {
            d.placeholder = is_placeholder(words, d.template_phrases, rule.min_words);
        }
    }
    let mut findings = Vec::new();
    if !left_out.is_empty() {
        findings.push(too_many_finding(req, &left_out));
    }
    let readable: Vec<&(DocumentText, String)> = read
        .iter()
        .filter(|(d, _)| d.unreadable.is_none())
        .collect();
    for (d, _) in read.iter().filter(|(d, _)| d.unreadable.is_some()) {
        findings.push(unreadable_finding(req, d, readable.is_empty()));
    }
    let text: String = readable
        .iter()
        .map(|(_, t)| t.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let mut cross_checks = Vec::new();
    if !readable.is_empty() {
        let words: u64 = readable.iter().filter_map(|(d, _)| d.words).sum();
        let phrases: u64 = readable.iter().map(|(d, _)| d.template_phrases).sum();
        let template = is_template(words, phrases);
        if is_placeholder(words, phrases, rule.min_words) {
            findings.push(placeholder_finding(
                req,
                &readable,
                words,
                rule.min_words,
                template,
            ));
        } else {
            for &c in rule.covers {
                if let Some(cc) = cross_check(c, rule.min_coverage, facts, &text) {
                    findings.extend(coverage_findings(req, &cc));
                    cross_checks.push(cc);
                }
            }
        }
    }
    let texts = readable
        .iter()
        .map(|(d, t)| (d.path.clone(), t.clone()))
        .collect();
    Ok(Content {
        documents: read.into_iter().map(|(d, _)| d).collect(),
        cross_checks,
        texts,
        findings,
    })
}

/// Whether a text of `words` words with `phrases` template phrases is a template: one phrase
/// in [`WORDS_PER_TEMPLATE_PHRASE`] words or fewer.
fn is_template(words: u64, phrases: u64) -> bool {
    phrases > 0 && phrases * WORDS_PER_TEMPLATE_PHRASE >= words
}

/// Whether such a text is a placeholder: fewer than `min_words` words, or a template.
fn is_placeholder(words: u64, phrases: u64, min_words: u64) -> bool {
    words < min_words || is_template(words, phrases)
}

/// `document-unreadable` for the documents past [`MAX_DOCUMENTS`], not read.
fn too_many_finding(req: &Requirement, left_out: &[String]) -> Finding {
    let n = left_out.len();
    Finding::of(
        CheckCode::DocumentUnreadable,
        format!(
            "document {:?}: {n} more matching files were not read: only the {MAX_DOCUMENTS} largest are; make the manifest's paths name the documents themselves",
            req.name
        ),
        format!(
            "文档「{}」：另有 {n} 个匹配文件未读取（只读取最大的 {MAX_DOCUMENTS} 个）；请让清单的 paths 只匹配文档本身",
            req.name
        ),
    )
    .evidence(evidence_list(left_out))
}

/// Read one document through the delivery's handle (no link followed), unless `deadline`
/// has passed.
fn read_one(
    e: &Entry,
    delivery: &Delivery,
    deadline: std::time::Instant,
) -> Result<(DocumentText, String), DeliveryError> {
    let path = e.display_path();
    let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) else {
        let secs = TIME_BUDGET.as_secs();
        return Ok((
            unread(
                path,
                Bilingual {
                    en: format!(
                        "not read: the documents of this requirement took their {secs} seconds"
                    ),
                    zh: format!("未读取：该要求的文档读取已用完 {secs} 秒"),
                },
            ),
            String::new(),
        ));
    };
    let limits = Limits {
        max_text: MAX_TEXT,
        timeout: Limits::default()
            .timeout
            .min(left.max(std::time::Duration::from_secs(1))),
        ..Limits::default()
    };
    let mut file = delivery
        .open_file(&e.path)
        .map_err(|source| DeliveryError::Unreadable {
            path: delivery
                .root
                .join(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(&e.path)),
            source,
        })?;
    Ok(
        match doctext::extract(&e.path, &mut file, e.size, &limits) {
            Ok(x) => {
                let phrases = doctext::template_phrases(&x.text)
                    .iter()
                    .map(|(_, n)| n)
                    .sum();
                (
                    DocumentText {
                        path,
                        format: Some(x.format.as_str().to_owned()),
                        words: Some(x.words),
                        readable: true,
                        placeholder: false,
                        encoding: x.encoding,
                        truncated: x.truncated,
                        template_phrases: phrases,
                        unreadable: None,
                    },
                    x.text,
                )
            }
            Err(why) => (unread(path, reason(&why)), String::new()),
        },
    )
}

/// A document at `path` whose text was not read, and why.
fn unread(path: String, why: Bilingual) -> DocumentText {
    DocumentText {
        path,
        format: None,
        words: None,
        readable: false,
        placeholder: false,
        encoding: None,
        truncated: false,
        template_phrases: 0,
        unreadable: Some(why),
    }
}

fn reason(why: &Unreadable) -> Bilingual {
    Bilingual {
        en: why.to_string(),
        zh: why.message_zh(),
    }
}

/// `document-unreadable` for one document; `none_readable`: no matched document could be read,
/// so the requirement rests on this one.
fn unreadable_finding(req: &Requirement, d: &DocumentText, none_readable: bool) -> Finding {
    let why = d.unreadable.clone().unwrap_or_else(|| Bilingual {
        en: String::new(),
        zh: String::new(),
    });
    let (then, then_zh) = if none_readable {
        (
            "its content cannot be checked; open it by hand, or ask the vendor for a .docx or .pdf",
            "无法核查其内容；请人工打开查看，或要求供应商提供 .docx 或 .pdf 版本",
        )
    } else {
        (
            "the requirement was judged on the other documents",
            "已依据其余文档判断该要求",
        )
    };
    Finding::of(
        CheckCode::DocumentUnreadable,
        format!(
            "document {:?}: the text of {} cannot be read ({}); {then}",
            req.name, d.path, why.en
        ),
        format!(
            "文档「{}」：无法读取 {} 的文字（{}）；{then_zh}",
            req.name, d.path, why.zh
        ),
    )
    .path(d.path.clone())
    .evidence(vec![format!("{}: {} / {}", d.path, why.en, why.zh)])
}

/// `document-placeholder`: the readable documents hold fewer than `min_words` words together,
/// or are a template.
fn placeholder_finding(
    req: &Requirement,
    readable: &[&(DocumentText, String)],
    words: u64,
    min_words: u64,
    template: bool,
) -> Finding {
    let (why, why_zh) = if template {
        let mut found: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
        for (_, text) in readable {
            for (phrase, n) in doctext::template_phrases(text) {
                *found.entry(phrase).or_default() += n;
            }
        }
        let en: Vec<String> = found.iter().map(|(p, n)| format!("\"{p}\" {n}×")).collect();
        let zh: Vec<String> = found.iter().map(|(p, n)| format!("“{p}”{n} 处")).collect();
        (
            format!("is an unfilled template ({})", en.join(", ")),
            format!("是未填写的模板（{}）", zh.join("，")),
        )
    } else {
        (
            format!(
                "has {words} words, fewer than the {min_words} the manifest requires (min-words)"
            ),
            format!("只有 {words} 字，少于验收清单要求的 {min_words} 字（min-words）"),
        )
    };
    let mut f = Finding::of(
        CheckCode::DocumentPlaceholder,
        format!(
            "document {:?} {why}: a placeholder, not the document",
            req.name
        ),
        format!("文档「{}」{why_zh}，只是占位文件，不是真正的文档", req.name),
    )
    .evidence(
        readable
            .iter()
            .take(EVIDENCE_ITEMS)
            .map(|(d, _)| {
                let mut line = format!(
                    "{}: {} words / {} 字, {}",
                    d.path,
                    d.words.unwrap_or(0),
                    d.words.unwrap_or(0),
                    d.format.as_deref().unwrap_or("?")
                );
                if d.template_phrases > 0 {
                    line.push_str(&format!(
                        ", {} template phrases / 占位文字 {} 处",
                        d.template_phrases, d.template_phrases
                    ));
                }
                line
            })
            .collect(),
    );
    if readable.len() == 1 {
        f = f.path(readable[0].0.path.clone());
    }
    f
}

/// Compare the document `text` with the code's items of `covers`; `None` for `changes` (the
/// deposit's comparison does that) and for items the facts lack.
fn cross_check(
    covers: Covers,
    min_coverage: Option<u8>,
    facts: &Facts,
    text: &str,
) -> Option<CrossCheck> {
    let min_percent = min_coverage.unwrap_or_else(|| covers.default_min_coverage());
    let (shown, named, versions_differ): (Vec<String>, Vec<bool>, Vec<VersionDiffers>) =
        match covers {
            Covers::Tables => {
                let names = facts.tables.as_ref()?;
                (names.clone(), mention::tables(names, text), Vec::new())
            }
            Covers::Dependencies => {
                let deps = facts.dependencies.as_ref()?;
                let found = mention::dependencies(deps, text);
                let differ = deps
                    .iter()
                    .zip(&found)
                    .filter_map(|(d, m)| {
                        Some(VersionDiffers {
                            name: d.name.clone(),
                            declared: d.version.clone()?,
                            documented: m.other_version.clone()?,
                        })
                    })
                    .collect();
                (
                    deps.iter()
                        .map(|d| match &d.version {
                            Some(v) => format!("{} {v} ({})", d.name, d.file),
                            None => format!("{} ({})", d.name, d.file),
                        })
                        .collect(),
                    found.iter().map(|m| m.named).collect(),
                    differ,
                )
            }
            Covers::Endpoints => {
                let eps = facts.endpoints.as_ref()?;
                (
                    eps.iter()
                        .map(|e| format!("{} {} ({}:{})", e.method, e.path, e.file, e.line))
                        .collect(),
                    super::endpoints::documented(eps, text),
                    Vec::new(),
                )
            }
            Covers::BuildTools => {
                let tools = facts.build_tools.as_ref()?;
                let found = mention::build_tools(tools, text);
                (
                    tools
                        .iter()
                        .zip(&found)
                        .map(|(t, m)| match &t.version {
                            Some(v) if m.named => format!(
                                "{} {v} (version not given / 未写版本; {})",
                                t.name, t.evidence
                            ),
                            Some(v) => format!("{} {v} ({})", t.name, t.evidence),
                            None => format!("{} ({})", t.name, t.evidence),
                        })
                        .collect(),
                    found.iter().map(|m| m.named && m.version_named).collect(),
                    Vec::new(),
                )
            }
            Covers::Changes => return None,
        };
    let shown: Vec<String> = shown.into_iter().map(|s| shorten(&s)).collect();
    let items = shown.len() as u64;
    let n = named.iter().filter(|b| **b).count() as u64;
    Some(CrossCheck {
        covers,
        items,
        named: n,
        percent: percent(n, items),
        min_percent,
        missing: shown
            .into_iter()
            .zip(&named)
            .filter(|(_, b)| !**b)
            .map(|(s, _)| s)
            .collect(),
        versions_differ,
    })
}

/// The longest item shown, in characters: a version string of a pom's half-expanded property
/// can run to kilobytes.
const MAX_ITEM_CHARS: usize = 200;

/// `s` cut to [`MAX_ITEM_CHARS`] characters, with "…" when cut.
fn shorten(s: &str) -> String {
    if s.chars().count() <= MAX_ITEM_CHARS {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(MAX_ITEM_CHARS - 1).collect();
    out.push('…');
    out
}

/// `n` of `total` in percent, rounded down (so 79.9 % is not 80 %); 100 when `total` is 0.
fn percent(n: u64, total: u64) -> u8 {
    if total == 0 {
        return 100;
    }
    u8::try_from(n * 100 / total).unwrap_or(100)
}

/// The findings of one cross-check: its coverage below `min_percent`, and for dependencies
/// the versions that differ.
fn coverage_findings(req: &Requirement, cc: &CrossCheck) -> Vec<Finding> {
    let mut out = Vec::new();
    let (code, what, what_zh, from, from_zh) = match cc.covers {
        Covers::Tables => (
            CheckCode::DocumentTablesUndocumented,
            "tables",
            "张表",
            "the delivered database scripts create",
            "交付的数据库脚本所建的",
        ),
        Covers::Dependencies => (
            CheckCode::DocumentDependenciesUndocumented,
            "dependencies",
            "个依赖",
            "the delivered dependency files declare",
            "交付的依赖文件所声明的",
        ),
        Covers::Endpoints => (
            CheckCode::DocumentEndpointsUndocumented,
            "HTTP endpoints",
            "个 HTTP 接口",
            "the delivered code serves",
            "交付的代码所提供的",
        ),
        Covers::BuildTools => (
            CheckCode::DocumentBuildToolsUndocumented,
            "build tools (with the versions the build files pin)",
            "个编译工具（含构建文件锁定的版本）",
            "the delivered build files need",
            "交付的构建文件所需的",
        ),
        Covers::Changes => return out,
    };
    if cc.percent < cc.min_percent {
        out.push(
            Finding::of(
                code,
                format!(
                    "document {:?} names {} of the {} {what} {from} ({}%, at least {}% required); {} not named",
                    req.name,
                    cc.named,
                    cc.items,
                    cc.percent,
                    cc.min_percent,
                    cc.missing.len()
                ),
                format!(
                    "文档「{}」只写到{from_zh} {} {what_zh}中的 {} 个（{}%，要求至少 {}%）；{} 个未写到",
                    req.name,
                    cc.items,
                    cc.named,
                    cc.percent,
                    cc.min_percent,
                    cc.missing.len()
                ),
            )
            .evidence(evidence_list(&cc.missing)),
        );
    }
    if !cc.versions_differ.is_empty() {
        out.push(
            Finding::of(
                CheckCode::DocumentVersionsDiffer,
                format!(
                    "document {:?} gives other versions than the dependency files declare for {} dependencies",
                    req.name,
                    cc.versions_differ.len()
                ),
                format!(
                    "文档「{}」中 {} 个依赖的版本与依赖文件声明的不一致",
                    req.name,
                    cc.versions_differ.len()
                ),
            )
            .evidence(evidence_list(
                &cc.versions_differ
                    .iter()
                    .map(|v| {
                        format!(
                            "{}: declared {} / 声明 {}, document {} / 文档 {}",
                            v.name, v.declared, v.declared, v.documented, v.documented
                        )
                    })
                    .collect::<Vec<_>>(),
            )),
        );
    }
    out
}

/// The first [`EVIDENCE_ITEMS`] of `items`, and how many more.
fn evidence_list(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = items.iter().take(EVIDENCE_ITEMS).cloned().collect();
    if items.len() > EVIDENCE_ITEMS {
        let more = items.len() - EVIDENCE_ITEMS;
        out.push(format!(
            "… and {more} more (all in the JSON report) / 另有 {more} 项（见 JSON 报告）"
        ));
    }
    out
}
