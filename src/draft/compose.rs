//! The draft itself: what was found, written as a manifest with every line a person must review
//! marked, then loaded and checked against the delivery it came from before it is handed back.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::contract::{Confidence, ContractFile, Mapping};
use super::found::{self, FoundDependencies, FoundDocument, FoundScripts};
use super::{DetectedModule, Files, modules};
use crate::manifest::{RequirementRule, TODO_MARK};

/// The mark on every line a person must review, in Chinese and English.
pub const REVIEW: &str = "【请核对 REVIEW】";

/// The share of a module's source files found that `min-source-files` asks of later
/// deliveries, in percent (rounded down, at least 1 file): enough to catch a module delivered
/// half-empty, loose enough for ordinary refactoring between updates.
pub const MIN_SOURCE_PERCENT: u64 = 80;

/// Where the draft comes from, for its head.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The delivery as the user named it (a path or URL).
    pub delivery: String,
    /// The delivery's inventory digest (SHA-256, hex), as reports show it.
    pub digest: String,
    /// When the draft was made (UTC, RFC 3339 or a date).
    pub date: String,
    /// The contract file given, if any, as the user named it.
    pub contract: Option<String>,
}

/// Why a draft could not be made: each is a fault of the drafter, never of the delivery.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    /// The drafted text does not load as a manifest.
    #[error(
        "the drafted manifest does not load ({}); nothing was written. This is a fault in escrow: please report it with the delivery's file list",
        problems.join("; ")
    )]
    Invalid {
        /// Every problem, as `LINE:COL: message`.
        problems: Vec<String>,
    },
    /// Nothing in the delivery makes a requirement: no module, document, database script or
    /// dependency file, and no contracted module.
    #[error(
        "nothing in the delivery makes a requirement: no module, document, database script or dependency file was recognised; check that the path is the vendor's delivery (not an empty or wrong folder), or write the manifest from manifests/template.toml"
    )]
    Empty,
    /// A requirement of the draft is not met by the delivery it was drafted from.
    #[error(
        "the drafted requirement {id:?} is not met by the delivery it was drafted from ({why}); nothing was written. This is a fault in escrow: please report it with the delivery's file list"
    )]
    Unmet {
        /// The requirement's id.
        id: String,
        /// What is missing.
        why: String,
    },
    /// The drafted text holds a table or key the drafter never writes: text from the delivery
    /// would have become part of the manifest (an `[[allow]]`, a `[scan]` switched off, …).
    #[error(
        "the drafted manifest holds {what}, which the drafter never writes: a name in the delivery would have changed the manifest; nothing was written. This is a fault in escrow: please report it with the delivery's file list"
    )]
    Smuggled {
        /// The table or key, as `[scan]` or `[[module]] allow-x`.
        what: String,
    },
}

/// The tables and keys a draft may hold: anything else in it came from the delivery.
const DRAFT_KEYS: &[(&str, &[&str])] = &[
    (
        "contract",
        &[
            "id",
            "title",
            "client",
            "vendor",
            "update-deadline",
            "delivery-deadline",
            "calendar",
        ],
    ),
    ("module", &["id", "name", "paths", "min-source-files"]),
    ("document", &["id", "name", "paths", "covers"]),
    ("database", &["id", "name", "paths", "min-tables"]),
    ("dependencies", &["id", "name", "paths"]),
];

/// Refuse a draft whose text holds any table or key outside [`DRAFT_KEYS`] (and
/// `schema-version`), or a requirement the plan did not make: the last guard against text from
/// the delivery (a folder name with line breaks, say) turning into manifest lines.
fn structure(text: &str, planned_ids: &BTreeSet<String>) -> Result<(), DraftError> {
    let smuggled = |what: String| Err(DraftError::Smuggled { what });
    let table: toml::Table = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => return smuggled(format!("text that is not TOML ({})", one_line(e.message()))),
    };
    for (key, value) in &table {
        if key == "schema-version" {
            continue;
        }
        let Some((_, allowed)) = DRAFT_KEYS.iter().find(|(k, _)| k == key) else {
            return smuggled(format!("the top-level key or table {}", quoted(key)));
        };
        let entries: Vec<&toml::Table> = match value {
            toml::Value::Table(t) if key == "contract" => vec![t],
            toml::Value::Array(items) if key != "contract" => {
                items.iter().filter_map(toml::Value::as_table).collect()
            }
            _ => return smuggled(format!("{} in an unexpected form", quoted(key))),
        };
        for entry in entries {
            if let Some(k) = entry.keys().find(|k| !allowed.contains(&k.as_str())) {
                return smuggled(format!("the key {} in [{key}]", quoted(k)));
            }
            if key != "contract"
                && let Some(id) = entry.get("id").and_then(toml::Value::as_str)
                && !planned_ids.contains(id)
            {
                return smuggled(format!("a [[{key}]] with the id {}", quoted(id)));
            }
        }
    }
    Ok(())
}

/// A drafted manifest and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Modules detected in the delivery.
    pub modules_found: usize,
    /// `[[module]]` entries written (one per detected module, or per contracted module).
    pub modules: usize,
    /// Contracted modules with no delivered match: `TODO` entries.
    pub todos: usize,
    /// Their names, as the contract file writes them.
    pub not_found: Vec<String>,
    /// Delivered modules the contract does not name (commented out).
    pub unclaimed: usize,
    /// Kinds of document found (`[[document]]` entries).
    pub documents: usize,
    /// Kinds of document not found (commented-out entries).
    pub documents_missing: usize,
    /// Database script files found.
    pub scripts: usize,
    /// `[[database]]` entries written.
    pub databases: usize,
    /// `CREATE TABLE` statements across them.
    pub tables: u64,
    /// Dependency files required (they parse).
    pub dependency_files: usize,
    /// Dependency files left out because they do not parse.
    pub unparseable: usize,
    /// Lines marked for review ([`REVIEW`]), the head excluded.
    pub review: usize,
    text: String,
}

impl Draft {
    /// The manifest text (UTF-8 TOML, comments in Chinese and English).
    pub fn to_toml(&self) -> &str {
        &self.text
    }
}

/// One `[[module]]` to write.
#[derive(Debug, Clone, Default)]
struct ModuleOut {
    id: String,
    name: String,
    paths: Vec<String>,
    min: u64,
    /// Comment lines (without "# ") written above the keys.
    notes: Vec<String>,
    /// Written commented out.
    commented: bool,
    /// A contracted module with no match: its paths are TODO.
    todo: bool,
}

/// Ids already used in the manifest.
#[derive(Default)]
struct Ids(BTreeSet<String>);

impl Ids {
    fn take(&mut self, want: &str) -> String {
        let mut id = want.to_owned();
        let mut n = 2;
        while self.0.contains(&id) {
            id = format!("{want}-{n}");
            n += 1;
        }
        self.0.insert(id.clone());
        id
    }
}

/// A TOML basic string.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if unsafe_char(c) => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A character that must not reach the draft as it is: control characters (a line break
/// would end a comment and start a line of TOML), the Unicode line and paragraph separators
/// and next-line (shown as line breaks by some editors), and the bidirectional controls
/// (which make the text a reviewer sees differ from what it says; Unicode TR #9).
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// A TOML array of strings.
fn array(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| quoted(s)).collect();
    format!("[{}]", inner.join(", "))
}

/// Text from the delivery, made safe for one comment line: every [`unsafe_char`] shown as
/// `\u{…}`, and at most [`COMMENT_MAX`] characters.
fn one_line(s: &str) -> String {
    let mut out = String::new();
    for (n, c) in s.chars().enumerate() {
        if n == COMMENT_MAX {
            out.push('…');
            break;
        }
        if unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// The longest text from the delivery one comment shows, in characters.
const COMMENT_MAX: usize = 300;

/// A module's source files as the `[[module]]` check counts them (default extensions), with
/// the count per language, most first.
type SourceCount = (u64, Vec<(String, u64)>);

/// The source files under each module's paths: one pass over the file list.
fn source_counts(files: &dyn Files, modules: &[DetectedModule]) -> Vec<SourceCount> {
    let exts: Vec<String> = crate::manifest::DEFAULT_SOURCE_EXTENSIONS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let groups: Vec<&[String]> = modules.iter().map(|m| m.paths.as_slice()).collect();
    found::match_groups(files.list(), &groups)
        .into_iter()
        .map(|matched| {
            let mut by: BTreeMap<String, u64> = BTreeMap::new();
            for f in matched {
                if let Some(ext) = crate::checks::modules::is_source(f.path.as_bytes(), &exts) {
                    *by.entry(ext).or_default() += 1;
                }
            }
            let total = by.values().sum();
            let mut langs: Vec<(String, u64)> = by.into_iter().collect();
            langs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            (total, langs)
        })
        .collect()
}

/// `min-source-files` for `found` source files: [`MIN_SOURCE_PERCENT`] of them, rounded down,
/// at least 1.
pub fn min_source_files(found: u64) -> u64 {
    (found * MIN_SOURCE_PERCENT / 100).max(1)
}

/// One delivered module as an entry.
fn module_out(count: &SourceCount, m: &DetectedModule, id: String, name: &str) -> ModuleOut {
    let (source, langs) = count;
    let source = *source;
    let langs = langs
        .iter()
        .take(5)
        .map(|(e, n)| format!("{e} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut notes = vec![
        format!("依据 found: {}", one_line(&m.found)),
        format!(
            "源文件 source files: {source} ({langs}); {} {}",
            m.build_system.label(),
            one_line(if m.root.is_empty() { "." } else { &m.root })
        ),
    ];
    let commented = source == 0;
    if commented {
        notes.push(format!(
            "{REVIEW}这些路径下没有源代码文件，已注释掉；确认需要后再启用。No source files under these paths: commented out; enable it once confirmed."
        ));
    } else {
        notes.push(format!(
            "min-source-files = {MIN_SOURCE_PERCENT}% × {source}，至少 1 (at least 1)"
        ));
    }
    ModuleOut {
        id,
        name: name.to_owned(),
        paths: m.paths.clone(),
        min: min_source_files(source),
        notes,
        commented,
        todo: false,
    }
}

fn confidence_text(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "高 High",
        Confidence::Medium => "中 Medium",
        Confidence::Low => "低 Low",
        Confidence::None => "无 None",
    }
}

/// The top-level folder a module sits in, when it sits below one (`lis` of `lis/Lis.Core`).
fn group_of(m: &DetectedModule) -> Option<&str> {
    m.root.split_once('/').map(|(top, _)| top)
}

/// A contracted system is usually several delivered projects in one folder (a solution's
/// `Lis.Core` and `Lis.Client`, a Gradle build's `emr-core` and `emr-web`). A delivered module
/// no contracted name took joins the one contracted module mapped into the same top-level
/// folder, when exactly one is and the mapping names it as another candidate (its names look
/// like the contracted name too): otherwise a later delivery could drop it and still pass.
fn absorb_siblings(
    detected: &[DetectedModule],
    counts: &[SourceCount],
    mapped: &[Option<(usize, &[usize])>],
    out: &mut [ModuleOut],
    taken: &mut BTreeSet<usize>,
) {
    for (i, m) in detected.iter().enumerate() {
        let Some(group) = group_of(m).filter(|_| !taken.contains(&i)) else {
            continue;
        };
        let mut into = mapped.iter().enumerate().filter(|(_, j)| {
            j.and_then(|(j, _)| detected.get(j))
                .is_some_and(|d| group_of(d) == Some(group))
        });
        let (Some((k, Some((_, also)))), None) = (into.next(), into.next()) else {
            continue;
        };
        if !also.contains(&i) {
            continue;
        }
        let e = &mut out[k];
        e.paths.extend(m.paths.iter().cloned());
        e.min += module_out(&counts[i], m, String::new(), &m.name).min;
        e.notes.push(format!(
            "{REVIEW}含同一目录 {group}/ 下合同未单独列出的模块 {} ({})；如不属于本合同模块，请删去其路径。\
             Includes {} ({}), in the same folder {group}/ and not named by the contract; remove its paths if it is not part of this contracted module.",
            one_line(&m.name),
            one_line(&m.paths.join(", ")),
            one_line(&m.name),
            one_line(&m.paths.join(", ")),
        ));
        taken.insert(i);
    }
}

/// The module entries: detected modules, or contracted modules mapped onto them; and the
/// delivered modules no contracted module took.
fn module_entries(
    files: &dyn Files,
    detected: &[DetectedModule],
    contract: Option<&ContractFile>,
    ids: &mut Ids,
) -> (Vec<ModuleOut>, Vec<ModuleOut>) {
    let counts = source_counts(files, detected);
    let Some(contract) = contract.filter(|c| !c.modules.is_empty()) else {
        let out = detected
            .iter()
            .zip(&counts)
            .map(|(m, count)| {
                let mut e = module_out(count, m, ids.take(&m.id), &m.name);
                e.notes.push(format!(
                    "{REVIEW}name 取自构建文件：请改为合同中的模块名称。The name comes from the build file: write the contract's name for this module."
                ));
                e
            })
            .collect();
        return (out, Vec::new());
    };
    let mappings: Vec<Mapping> = super::contract::map(&contract.modules, detected);
    let mut taken = BTreeSet::new();
    let mut out = Vec::new();
    // The delivered module each entry of `out` was mapped to, and the other candidates.
    let mut mapped: Vec<Option<(usize, &[usize])>> = Vec::new();
    for (n, mp) in mappings.iter().enumerate() {
        let c = &mp.contracted;
        let head = format!(
            "合同模块「{}」（合同文件第 {} 行）Contracted module {:?} (contract file line {})",
            one_line(&c.name),
            c.line,
            one_line(&c.name),
            c.line
        );
        match mp.module.and_then(|i| detected.get(i).map(|m| (i, m))) {
            Some((i, m)) if mp.confidence != Confidence::None => {
                let mut e = module_out(&counts[i], m, ids.take(&m.id), &c.name);
                let mark = if mp.confidence == Confidence::High {
                    ""
                } else {
                    REVIEW
                };
                let mut notes = vec![
                    head,
                    format!(
                        "{mark}匹配把握 confidence: {} ({:.2}) — {}; {}",
                        confidence_text(mp.confidence),
                        mp.score,
                        one_line(&mp.why_zh),
                        one_line(&mp.why)
                    ),
                ];
                if !taken.insert(i) {
                    notes.push(format!(
                        "{REVIEW}另一个合同模块也对应这个交付模块。Another contracted module maps to this delivered module too."
                    ));
                }
                let also: Vec<String> = mp
                    .also
                    .iter()
                    .filter_map(|&a| detected.get(a))
                    .map(|a| format!("{} ({})", a.id, a.paths.join(", ")))
                    .collect();
                if !also.is_empty() {
                    notes.push(format!(
                        "其他候选 also consider: {}",
                        one_line(&also.join("; "))
                    ));
                }
                notes.append(&mut e.notes);
                e.notes = notes;
                out.push(e);
                mapped.push(Some((i, mp.also.as_slice())));
            }
            _ => {
                out.push(ModuleOut {
                    id: ids.take(
                        &super::modules::slug(&c.name)
                            .unwrap_or_else(|| format!("contracted-{}", n + 1)),
                    ),
                    name: c.name.clone(),
                    paths: vec![format!(
                        "{TODO_MARK}: 填写「{}」源代码所在的目录，如 folder/** (write the folder of {:?}'s source, e.g. folder/**)",
                        one_line(&c.name),
                        one_line(&c.name),
                    )],
                    min: 1,
                    notes: vec![
                        head,
                        format!(
                            "{REVIEW}{TODO_MARK}: 交付物中没有与之对应的模块：请填写它的路径，或向供应商索取这部分源代码。"
                        ),
                        format!(
                            "{REVIEW}{TODO_MARK}: no delivered module matches it: write its paths, or ask the vendor for this source."
                        ),
                    ],
                    commented: false,
                    todo: true,
                });
                mapped.push(None);
            }
        }
    }
    absorb_siblings(detected, &counts, &mapped, &mut out, &mut taken);
    let unclaimed = detected
        .iter()
        .enumerate()
        .filter(|(i, _)| !taken.contains(i))
        .map(|(i, m)| {
            let mut e = module_out(&counts[i], m, ids.take(&m.id), &m.name);
            e.commented = true;
            e
        })
        .collect();
    (out, unclaimed)
}

/// The manifest as it will be written.
struct Plan<'a> {
    origin: &'a Origin,
    contract_toml: Option<&'a str>,
    modules_found: usize,
    modules: Vec<ModuleOut>,
    unclaimed: Vec<ModuleOut>,
    documents: Vec<FoundDocument>,
    scripts: Vec<FoundScripts>,
    script_ids: Vec<String>,
    deps: FoundDependencies,
}

/// Write `e` (commented out when it is, or when `all_commented`).
fn write_module(out: &mut String, e: &ModuleOut, all_commented: bool) {
    let c = if e.commented || all_commented {
        "# "
    } else {
        ""
    };
    out.push('\n');
    for n in &e.notes {
        // Notes hold names and folders from the delivery: one line each, whatever they hold.
        let _ = writeln!(out, "# {}", one_line(n));
    }
    let _ = writeln!(out, "{c}[[module]]");
    let _ = writeln!(out, "{c}id = {}", quoted(&e.id));
    let _ = writeln!(out, "{c}name = {}", quoted(&e.name));
    let _ = writeln!(out, "{c}paths = {}", array(&e.paths));
    let _ = writeln!(out, "{c}min-source-files = {}", e.min);
}

fn section(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n# ── {title} ──");
}

/// The body of the manifest (all but the head); without TODO entries when `checkable`.
fn body(p: &Plan, checkable: bool) -> String {
    let mut out = String::new();
    out.push_str("schema-version = 1\n");

    match p.contract_toml {
        Some(t) => {
            out.push_str("\n# 合同信息（取自合同文件）Contract details (from the contract file)\n");
            out.push_str(t.trim());
            out.push('\n');
        }
        None => {
            let _ = write!(
                out,
                "\n# {REVIEW}合同信息：按合同填写，然后去掉各行开头的 “# ”。\n\
                 # {REVIEW}Contract details: fill them in from the contract, then remove the \"# \" at the start of each line.\n\
                 # [contract]\n\
                 # id = \"\"        # 合同编号 contract number\n\
                 # title = \"\"     # 项目名称 project name\n\
                 # client = \"\"    # 甲方（医院）the hospital\n\
                 # vendor = \"\"    # 乙方（供应商）the vendor\n"
            );
        }
    }

    section(&mut out, "模块 Modules（源代码完整性 complete source）");
    let _ = writeln!(
        out,
        "# min-source-files：本次交付中该模块源文件数的 {MIN_SOURCE_PERCENT}%（向下取整，至少 1）：以后交付的源文件明显减少时不通过。\n\
         # min-source-files: {MIN_SOURCE_PERCENT} % of the module's source files in this delivery (rounded down, at least 1): a later delivery with clearly fewer fails."
    );
    if p.modules.is_empty() {
        let _ = writeln!(
            out,
            "# {REVIEW}没有识别出模块：请按合同逐个添加 [[module]]（见 manifests/template.toml）。\n\
             # {REVIEW}No module was recognised: add one [[module]] per contracted module (see manifests/template.toml)."
        );
    }
    for e in &p.modules {
        if checkable && e.todo {
            continue;
        }
        write_module(&mut out, e, false);
    }
    if !p.unclaimed.is_empty() {
        section(
            &mut out,
            "合同未列出的交付模块 Delivered modules the contract does not name",
        );
        let _ = writeln!(
            out,
            "# {REVIEW}以下模块不在合同模块清单中：可能属于某个合同模块，也可能是额外交付。需要时去掉各行开头的 “# ”。\n\
             # {REVIEW}These modules are not named in the contract: each may be part of a contracted module, or extra. Uncomment one to require it."
        );
        for e in &p.unclaimed {
            write_module(&mut out, e, true);
        }
    }

    documents_section(&mut out, p);
    scripts_section(&mut out, p);
    dependencies_section(&mut out, p);
    out
}

/// What a document kind's text is checked for (`covers`), with the comment saying so in
/// Chinese and English; `None` for kinds no cross-check reads (deployment manual, user manual).
fn covers_of(kind: &str) -> Option<(&'static str, &'static str, &'static str)> {
    Some(match kind {
        "build-guide" => (
            "build-tools",
            "须写明构建文件所需的编译工具及其锁定的版本（Maven、JDK、.NET SDK、Node.js 等）",
            "it must name the build tools the build files need, with their pinned versions",
        ),
        "interface-spec" => (
            "endpoints",
            "须写到代码提供的 HTTP 接口路径",
            "it must name the HTTP endpoints the code serves",
        ),
        "database-design" => (
            "tables",
            "须写到数据库脚本所建的数据表",
            "it must name the tables the database scripts create",
        ),
        "dependency-list" => (
            "dependencies",
            "须列出依赖文件声明的依赖（名称与版本）",
            "it must list the dependencies the dependency files declare, with their versions",
        ),
        "change-notes" => (
            "changes",
            "入库更新时，须提及每个有变更的模块",
            "on a deposit of an update, it must mention every module that changed",
        ),
        _ => return None,
    })
}

/// The `[[document]]` entries, and the kinds not found, commented out.
fn documents_section(out: &mut String, p: &Plan) {
    section(out, "配套文档 Documents");
    let _ = writeln!(
        out,
        "# 路径按文件名中的关键词匹配，不含版本号，以后交付的同类文档也能匹配。\n\
         # Paths match a keyword of the file name, not the exact name, so the same kind of document in a later delivery matches too."
    );
    for kind in found::DOC_KINDS {
        out.push('\n');
        if let Some(d) = p.documents.iter().find(|d| d.kind.id == kind.id) {
            let shown: Vec<&str> = d.files.iter().take(3).map(String::as_str).collect();
            let more = if d.files.len() > 3 { ", …" } else { "" };
            let _ = writeln!(
                out,
                "# 找到 found: {}{more} ({} file(s), largest {} bytes)",
                one_line(&shown.join(", ")),
                d.files.len(),
                d.largest
            );
            if d.placeholder {
                let _ = writeln!(
                    out,
                    "# {REVIEW}找到的文件只有 {} 字节，小于该格式真实文档的最小大小，可能是占位文件：检查会报告它（过小，或并非真正的文档），请向供应商索取完整文档。\n\
                     # {REVIEW}The file found is only {} bytes, smaller than any real document of its format: probably a placeholder. The check will report it (too small, or not a real document); ask the vendor for the complete document.",
                    d.largest, d.largest
                );
            } else {
                let _ = writeln!(
                    out,
                    "# 未写 min-bytes：按格式取默认下限（.docx 900 字节、.pdf 600、文本 1 KiB…），空白占位文件不会通过。\n\
                     # No min-bytes: the default of each format applies (.docx 900 bytes, .pdf 600, text 1 KiB, …), so an empty placeholder fails."
                );
            }
            let _ = writeln!(
                out,
                "[[document]]\nid = {}\nname = {}\npaths = {}",
                quoted(kind.id),
                quoted(kind.name),
                array(&d.globs)
            );
            if let Some((covers, zh, en)) = covers_of(kind.id) {
                let _ = writeln!(
                    out,
                    "# 核对文档内容：{zh}（未写到的列为问题；min-coverage 设定比例，默认 {pct}%）。\n\
                     # Checks the text: {en} (those missing are findings; min-coverage sets the share, {pct}% by default).\n\
                     covers = [{}]",
                    quoted(covers),
                    pct = crate::checks::Covers::ALL
                        .iter()
                        .find(|c| c.as_str() == covers)
                        .map_or(80, |c| c.default_min_coverage()),
                );
            }
        } else {
            let suggested: Vec<String> = kind.suggested.iter().map(|s| (*s).to_owned()).collect();
            let _ = writeln!(
                out,
                "# {REVIEW}若合同要求「{}」：本次交付中未找到。向供应商索取，或确认合同不要求后删除此段。\n\
                 # {REVIEW}If the contract requires a {}: not found in this delivery. Ask the vendor for it, or delete this entry if the contract does not require it.\n\
                 # [[document]]\n# id = {}\n# name = {}\n# paths = {}",
                kind.name,
                kind.name_en,
                quoted(kind.id),
                quoted(kind.name),
                array(&suggested)
            );
        }
    }
}

/// The `[[database]]` entries, one per folder of scripts.
fn scripts_section(out: &mut String, p: &Plan) {
    section(out, "数据库脚本 Database scripts");
    if p.scripts.is_empty() {
        let _ = writeln!(
            out,
            "# {REVIEW}本次交付中没有找到数据库脚本（.sql）。若合同要求，请向供应商索取。\n\
             # {REVIEW}No database script (.sql) found in this delivery. If the contract requires them, ask the vendor.\n\
             # [[database]]\n# id = \"db-scripts\"\n# name = \"数据库脚本\"\n# paths = [\"**/*.sql\"]"
        );
    }
    for (s, id) in p.scripts.iter().zip(&p.script_ids) {
        out.push('\n');
        let where_ = if s.folder.is_empty() {
            "."
        } else {
            s.folder.as_str()
        };
        let _ = writeln!(
            out,
            "# 找到 found: {} 个脚本共 {} 张表 {} tables in {} scripts ({})",
            s.files.len(),
            s.tables,
            s.tables,
            s.files.len(),
            one_line(where_)
        );
        if !s.unread.is_empty() {
            let _ = writeln!(
                out,
                "# {REVIEW}无法读取、未计数 could not be read, not counted: {}",
                one_line(&s.unread.join(", "))
            );
        }
        let name = if p.scripts.len() == 1 {
            "数据库脚本".to_owned()
        } else {
            format!("数据库脚本（{where_}）")
        };
        let c = if s.tables == 0 {
            let _ = writeln!(
                out,
                "# {REVIEW}这些脚本不建表（可能是初始数据），已注释掉。These scripts create no table (initial data?): commented out."
            );
            "# "
        } else {
            let _ = writeln!(
                out,
                "# min-tables = 本次找到的建表语句数 the CREATE TABLE statements found"
            );
            ""
        };
        let _ = writeln!(
            out,
            "{c}[[database]]\n{c}id = {}\n{c}name = {}\n{c}paths = {}\n{c}min-tables = {}",
            quoted(id),
            quoted(&name),
            array(std::slice::from_ref(&s.glob)),
            s.tables.max(1)
        );
    }
}

/// The `[[dependencies]]` entry, and the files left out.
fn dependencies_section(out: &mut String, p: &Plan) {
    section(out, "依赖清单 Dependency files");
    for u in &p.deps.unparseable {
        let _ = writeln!(
            out,
            "# {REVIEW}未列入：无法解析，请向供应商索取正确的文件。Left out: does not parse; ask the vendor for a correct file. {}: {}",
            one_line(&u.path),
            one_line(&u.message)
        );
    }
    if p.deps.files.is_empty() {
        let _ = writeln!(
            out,
            "# {REVIEW}没有找到可解析的依赖清单文件（pom.xml、package.json、*.csproj、requirements.txt、go.mod……）。\n\
             # {REVIEW}No dependency file that parses was found (pom.xml, package.json, *.csproj, requirements.txt, go.mod, …).\n\
             # [[dependencies]]\n# id = \"dependency-manifests\"\n# name = \"依赖清单文件\"\n# paths = [\"**/pom.xml\", \"**/package.json\"]"
        );
    } else {
        let mut by: BTreeMap<String, u64> = BTreeMap::new();
        for f in &p.deps.files {
            let name = f.rsplit('/').next().unwrap_or(f);
            let pat = found::dependency_pattern(name).unwrap_or("other");
            *by.entry(pat.trim_start_matches("**/").to_owned())
                .or_default() += 1;
        }
        let kinds: Vec<String> = by.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let _ = writeln!(
            out,
            "\n# 找到 found: {} 个文件 files ({})，每个都按检查的方式解析通过 each parses as the check parses it",
            p.deps.files.len(),
            kinds.join(", ")
        );
        let _ = writeln!(
            out,
            "[[dependencies]]\nid = \"dependency-manifests\"\nname = \"依赖清单文件\"\npaths = {}",
            array(&p.deps.globs)
        );
    }
}

/// The head: what was drafted from what, and what to review.
fn head(p: &Plan, review: usize, todos: usize) -> String {
    let o = p.origin;
    let mut h = format!(
        "# 合同清单草稿：由 escrow manifest init {v} 根据交付物起草。\n\
         # Draft contract manifest, written by escrow manifest init {v} from a delivery.\n\
         #\n\
         # 交付物 delivery:   {d}\n\
         # 清单摘要 digest:   sha256 {g}\n\
         # 起草时间 drafted:  {t}\n",
        v = env!("CARGO_PKG_VERSION"),
        d = one_line(&o.delivery),
        g = o.digest,
        t = o.date
    );
    if let Some(c) = &o.contract {
        let _ = writeln!(h, "# 合同文件 contract: {}", one_line(c));
    }
    let _ = write!(
        h,
        "#\n\
         # 起草依据 drafted from:\n\
         #   模块：构建文件（Maven、Gradle、Visual Studio、npm、pnpm、Yarn、Python、Go），否则为含源代码的顶层目录。\n\
         #   Modules: the build files (Maven, Gradle, Visual Studio, npm, pnpm, Yarn, Python, Go), else the top-level folders holding source code.\n\
         #   文档：文件名中的关键词（编译、部署、接口、数据库设计……）。Documents: keywords of file names (build, deploy, API, database design, …).\n\
         #   数据库脚本：.sql 脚本中的建表语句。Database scripts: the CREATE TABLE statements of .sql scripts.\n\
         #   依赖清单：pom.xml、package.json 等，均按检查的方式解析通过。Dependency files: pom.xml, package.json, …, each parsed as the check parses them.\n\
         #\n\
         # 请核对 to review:\n\
         #   标有{REVIEW}的 {review} 行需要人工核对。The {review} lines marked {REVIEW} need a person's check.\n"
    );
    if todos > 0 {
        let _ = writeln!(
            h,
            "#   {todos} 个路径以 {TODO_MARK} 开头，必须填写，否则 escrow check 报错。{todos} paths start with {TODO_MARK}: fill them in, or escrow check stops with an error."
        );
    }
    let placeholders = p.documents.iter().filter(|d| d.placeholder).count();
    if placeholders > 0 {
        let _ = writeln!(
            h,
            "#   {placeholders} 份文档小于其格式的最小真实文档，像是占位文件：检查会报告，请向供应商索取完整文档。\n\
             #   {placeholders} document(s) smaller than any real document of their format look like placeholders: the check will report them; ask the vendor for the complete documents."
        );
    }
    let _ = write!(
        h,
        "#   所有数量要求都按本次交付设定，本次交付满足这些要求；以后的交付少于这些数量则不通过。\n\
         #   Every minimum is set from this delivery, which meets it; a later delivery with less fails.\n\
         #   然后运行 then run:  escrow check <交付物 delivery> --manifest <本文件 this file>\n\n"
    );
    h
}

/// Draft a manifest from a delivery (`files`), with the contracted modules of `contract` when
/// given. The text is loaded (`manifest::parse`) and every requirement checked against `files`
/// before it is returned; only `TODO` entries (contracted modules not found) are left to fail.
///
/// # Errors
/// [`DraftError`] when the text does not load or a requirement is not met by `files`: a fault
/// of the drafter, never of the delivery.
pub fn draft(
    files: &dyn Files,
    contract: Option<&ContractFile>,
    origin: &Origin,
) -> Result<Draft, DraftError> {
    let detected = modules::detect(files);
    let documents = found::documents(files);
    let scripts = found::scripts(files);
    let deps = found::dependencies(files);

    let mut ids = Ids::default();
    for k in found::DOC_KINDS {
        ids.take(k.id);
    }
    ids.take("dependency-manifests");
    let script_ids: Vec<String> = if scripts.len() == 1 {
        vec![ids.take("db-scripts")]
    } else {
        scripts
            .iter()
            .map(|s| {
                let slug: String = s
                    .folder
                    .to_ascii_lowercase()
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                    .collect();
                let slug = slug
                    .split('-')
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join("-");
                if slug.is_empty() {
                    ids.take("db-scripts")
                } else if slug == "db" || slug.starts_with("db-") {
                    ids.take(&slug)
                } else {
                    ids.take(&format!("db-{slug}"))
                }
            })
            .collect()
    };
    let (modules_out, unclaimed) = module_entries(files, &detected, contract, &mut ids);
    let plan = Plan {
        origin,
        contract_toml: contract.and_then(|c| c.contract_toml.as_deref()),
        modules_found: detected.len(),
        modules: modules_out,
        unclaimed,
        documents,
        scripts,
        script_ids,
        deps,
    };
    let todos = plan.modules.iter().filter(|m| m.todo).count();
    let required = plan
        .modules
        .iter()
        .filter(|m| !m.commented && !m.todo)
        .count()
        + plan.documents.len()
        + plan.scripts.iter().filter(|s| s.tables > 0).count()
        + usize::from(!plan.deps.files.is_empty());
    if required + todos == 0 {
        return Err(DraftError::Empty);
    }
    let full = body(&plan, false);
    let review = full.lines().filter(|l| l.contains(REVIEW)).count();
    let text = format!("{}{full}", head(&plan, review, todos));
    if required > 0 {
        verify(&plan, files, &text, todos > 0)?;
    }
    Ok(Draft {
        modules_found: plan.modules_found,
        modules: plan.modules.iter().filter(|m| !m.commented).count(),
        todos,
        not_found: plan
            .modules
            .iter()
            .filter(|m| m.todo)
            .map(|m| m.name.clone())
            .collect(),
        unclaimed: plan.unclaimed.len(),
        documents: plan.documents.len(),
        documents_missing: found::DOC_KINDS.len() - plan.documents.len(),
        scripts: plan.scripts.iter().map(|s| s.files.len()).sum(),
        databases: plan.scripts.iter().filter(|s| s.tables > 0).count(),
        tables: plan.scripts.iter().map(|s| s.tables).sum(),
        dependency_files: plan.deps.files.len(),
        unparseable: plan.deps.unparseable.len(),
        review,
        text,
    })
}

/// The draft loaded as the manifest loader loads it; with TODO entries (which the loader
/// refuses, as meant), the draft without them, after checking that they are its only problems.
fn load_draft(
    plan: &Plan,
    text: &str,
    has_todo: bool,
) -> Result<crate::manifest::Manifest, DraftError> {
    let render = |problems: Vec<crate::manifest::ManifestProblem>| DraftError::Invalid {
        problems: problems.iter().map(ToString::to_string).collect(),
    };
    if has_todo {
        if let Err(problems) = crate::manifest::parse(text) {
            let lines: Vec<&str> = text.lines().collect();
            let other: Vec<_> = problems
                .into_iter()
                .filter(|p| {
                    !lines
                        .get(p.line.wrapping_sub(1))
                        .is_some_and(|l| l.contains(&format!("\"{TODO_MARK}")))
                })
                .collect();
            if !other.is_empty() {
                return Err(render(other));
            }
        }
        crate::manifest::parse(&body(plan, true)).map_err(render)
    } else {
        crate::manifest::parse(text).map_err(render)
    }
}

/// Load the draft and check every requirement against `files`. With TODO entries, the text
/// without them must load and pass, and the full text may fail only on the TODO globs.
fn verify(plan: &Plan, files: &dyn Files, text: &str, has_todo: bool) -> Result<(), DraftError> {
    let planned: BTreeSet<String> = plan
        .modules
        .iter()
        .chain(&plan.unclaimed)
        .map(|m| m.id.clone())
        .chain(plan.documents.iter().map(|d| d.kind.id.to_owned()))
        .chain(plan.script_ids.iter().cloned())
        .chain(std::iter::once("dependency-manifests".to_owned()))
        .collect();
    structure(text, &planned)?;
    let manifest = load_draft(plan, text, has_todo)?;
    let tables: BTreeMap<&str, u64> = plan
        .scripts
        .iter()
        .flat_map(|s| {
            s.files
                .iter()
                .map(String::as_str)
                .zip(s.tables_by_file.iter().copied())
        })
        .collect();
    let good: BTreeSet<&str> = plan.deps.files.iter().map(String::as_str).collect();
    let groups: Vec<&[String]> = manifest
        .requirements
        .iter()
        .map(|r| r.paths.as_slice())
        .collect();
    let all = found::match_groups(files.list(), &groups);
    for (req, matched) in manifest.requirements.iter().zip(all) {
        let unmet = |why: String| DraftError::Unmet {
            id: req.id.clone(),
            why,
        };
        if matched.is_empty() {
            return Err(unmet("no file matches".to_owned()));
        }
        match &req.rule {
            RequirementRule::Module {
                min_source_files,
                source_extensions,
            } => {
                let n = matched
                    .iter()
                    .filter(|f| {
                        crate::checks::modules::is_source(f.path.as_bytes(), source_extensions)
                            .is_some()
                    })
                    .count() as u64;
                if n < *min_source_files {
                    return Err(unmet(format!(
                        "{n} source files, {min_source_files} required"
                    )));
                }
            }
            RequirementRule::Document { min_bytes, .. } => {
                let reaches = |f: &&super::FileInfo| {
                    f.size >= min_bytes.unwrap_or_else(|| crate::checks::default_min_bytes(&f.path))
                };
                let known_placeholder = plan
                    .documents
                    .iter()
                    .any(|d| d.kind.id == req.id && d.placeholder);
                if !matched.iter().any(reaches) && !known_placeholder {
                    let largest = matched.iter().map(|f| f.size).max().unwrap_or(0);
                    return Err(unmet(format!(
                        "largest file {largest} bytes, below the minimum of its format"
                    )));
                }
            }
            RequirementRule::Database { min_tables } => {
                let n: u64 = matched
                    .iter()
                    .map(|f| {
                        tables
                            .get(f.path.as_str())
                            .copied()
                            .or_else(|| found::count_tables(files, &f.path))
                            .unwrap_or(0)
                    })
                    .sum();
                if n < *min_tables {
                    return Err(unmet(format!("{n} tables, {min_tables} required")));
                }
            }
            RequirementRule::Dependencies => {
                for f in &matched {
                    if !good.contains(f.path.as_str()) {
                        found::parse_dependency(files, &f.path)
                            .map_err(|m| unmet(format!("{} does not parse: {m}", f.path)))?;
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::MemFiles;

    /// A contracted system delivered as several projects of one folder takes them all: a later
    /// delivery without one of them must not pass.
    #[test]
    fn a_contracted_system_takes_the_unnamed_projects_of_its_folder() {
        let pom = |a: &str| format!("<project><artifactId>{a}</artifactId></project>");
        let files = MemFiles::new([
            (
                "lis/pom.xml".to_owned(),
                b"<project><packaging>pom</packaging><modules><module>lis-core</module><module>lis-client</module></modules></project>".to_vec(),
            ),
            ("lis/lis-core/pom.xml".to_owned(), pom("lis-core").into_bytes()),
            ("lis/lis-core/src/A.java".to_owned(), b"class A {}".to_vec()),
            ("lis/lis-client/pom.xml".to_owned(), pom("lis-client").into_bytes()),
            ("lis/lis-client/src/B.java".to_owned(), b"class B {}".to_vec()),
            ("pacs/pom.xml".to_owned(), pom("pacs").into_bytes()),
            ("pacs/src/C.java".to_owned(), b"class C {}".to_vec()),
        ]);
        let contract = ContractFile {
            modules: ["检验信息系统", "医学影像"]
                .iter()
                .enumerate()
                .map(|(n, name)| super::super::contract::ContractedModule {
                    name: (*name).to_owned(),
                    aliases: Vec::new(),
                    line: n + 1,
                })
                .collect(),
            ..ContractFile::default()
        };
        let d = draft(&files, Some(&contract), &origin()).unwrap();
        let m = crate::manifest::parse(d.to_toml()).unwrap();
        let lis = m
            .requirements
            .iter()
            .find(|r| r.name == "检验信息系统")
            .unwrap_or_else(|| panic!("{}", d.to_toml()));
        let mut paths = lis.paths.clone();
        paths.sort();
        assert_eq!(
            paths,
            ["lis/lis-client/**", "lis/lis-core/**"],
            "{}",
            d.to_toml()
        );
        assert_eq!(d.unclaimed, 0);
        assert!(
            d.to_toml()
                .contains("not named by the contract; remove its paths")
        );
    }

    #[test]
    fn a_draft_holding_what_the_drafter_never_writes_is_refused() {
        let ids: BTreeSet<String> = ["a".to_owned()].into();
        let ok = "schema-version = 1\n[[module]]\nid = \"a\"\nname = \"A\"\npaths = [\"a/**\"]\n";
        assert!(structure(ok, &ids).is_ok());
        for bad in [
            "[[allow]]\ncode = \"credential-hardcoded\"\npaths = [\"**\"]\nreason = \"x\"\n",
            "[scan]\nenabled = false\n",
            "[severity]\nmodule-missing = \"info\"\n",
            "[[module]]\nid = \"b\"\nname = \"B\"\npaths = [\"**\"]\n",
            "[[document]]\nid = \"a\"\nname = \"A\"\npaths = [\"x\"]\nmin-bytes = 1\n",
        ] {
            let text = format!("{ok}{bad}");
            assert!(
                matches!(structure(&text, &ids), Err(DraftError::Smuggled { .. })),
                "{text}"
            );
        }
    }

    fn origin() -> Origin {
        Origin {
            delivery: "d".to_owned(),
            digest: "00".to_owned(),
            date: "2026-03-10T09:00:00Z".to_owned(),
            contract: None,
        }
    }

    #[test]
    fn rule_of_min_source_files() {
        assert_eq!(min_source_files(0), 1);
        assert_eq!(min_source_files(1), 1);
        assert_eq!(min_source_files(10), 8);
        assert_eq!(min_source_files(123), 98);
    }

    #[test]
    fn draft_loads_and_finds_documents_scripts_and_dependencies() {
        let files = MemFiles::new([
            ("文档/部署手册V1.docx", vec![b'x'; 2000]),
            ("文档/数据库设计说明.pdf", vec![b'x'; 10]),
            (
                "db/schema.sql",
                b"CREATE TABLE a (x int);\nCREATE TABLE b (x int);".to_vec(),
            ),
            ("app/pom.xml", b"<project/>".to_vec()),
            ("app/src/A.java", b"class A {}".to_vec()),
        ]);
        let d = draft(&files, None, &origin()).unwrap();
        let text = d.to_toml();
        let m = crate::manifest::parse(text).unwrap();
        let ids: Vec<&str> = m.requirements.iter().map(|r| r.id.as_str()).collect();
        assert!(ids.contains(&"deployment-manual"), "{text}");
        assert!(ids.contains(&"database-design"), "{text}");
        assert!(ids.contains(&"db-scripts"), "{text}");
        assert!(ids.contains(&"dependency-manifests"), "{text}");
        assert!(text.contains("min-tables = 2"), "{text}");
        // No min-bytes: each format's default applies; the 10-byte PDF is marked a placeholder.
        assert!(!text.lines().any(|l| l.starts_with("min-bytes")), "{text}");
        assert!(text.contains("The file found is only 10 bytes"), "{text}");
        assert_eq!((d.documents, d.tables, d.dependency_files), (2, 2, 1));
        assert!(d.review > 0);
        // The head names the mark once; every other marked line counts.
        assert_eq!(
            d.review + 1,
            text.lines().filter(|l| l.contains(REVIEW)).count()
        );
    }

    #[test]
    fn a_contracted_module_with_no_match_is_a_todo() {
        let files = MemFiles::new([("a/x.java", "class X {}")]);
        let contract = ContractFile {
            contract_toml: Some("[contract]\nid = \"HT-1\"".to_owned()),
            modules: vec![super::super::contract::ContractedModule {
                name: "药房管理".to_owned(),
                aliases: Vec::new(),
                line: 2,
            }],
            ..ContractFile::default()
        };
        let d = draft(&files, Some(&contract), &origin()).unwrap();
        let text = d.to_toml();
        assert_eq!(d.todos, 1);
        assert_eq!(d.not_found.len(), 1);
        assert!(text.contains("paths = [\"TODO: "), "{text}");
        assert!(text.contains("id = \"HT-1\""), "{text}");
    }
}
