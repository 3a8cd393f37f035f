//! `status --all DIR`: one line per contract, for every vault under a folder, most urgent
//! first.

use std::cmp::Ordering;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::status::{
    Chapters, ContractDoc, ObligationState, StatusDoc, footer, state_page_word, state_tone, table,
};
use crate::report::page::{BarRow, Block, Chart, Page, Text, Tone};
use crate::report::{Document, HumanStyle, Lang};

/// The `status-all` document's schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// The latest deposit of a vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LastDepositDoc {
    /// Its label.
    pub label: String,
    /// Its date (YYYY-MM-DD, China Standard Time).
    pub date: String,
    /// "pass" or "fail".
    pub verdict: String,
    /// Failing, but accepted by the hospital (`escrow accept`).
    pub accepted: bool,
}

/// One vault (one contract) and where its obligations stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractLineDoc {
    /// The vault's folder.
    pub vault: String,
    /// The contract, as its latest deposit's manifest names it.
    pub contract: ContractDoc,
    /// The vault's calendar, with the dates its official notices cover.
    pub calendar: String,
    /// The most urgent state among its obligations (`satisfied` when all are met or there
    /// are none); `null` when the vault could not be read (see `error`).
    pub state: Option<ObligationState>,
    /// The latest deposit, if any.
    pub last_deposit: Option<LastDepositDoc>,
    /// Obligations still open: pending or overdue.
    pub open: u64,
    /// Overdue obligations.
    pub overdue: u64,
    /// Obligations met late (breaches on record).
    pub late: u64,
    /// Obligations met in time.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub met: u64,
    /// The earliest due date among pending obligations (YYYY-MM-DD).
    pub next_due: Option<String>,
    /// Whether `next_due` is provisional.
    pub next_due_provisional: bool,
    /// Working days left to `next_due` (pending), if known.
    pub working_days_left: Option<u32>,
    /// The most working days any overdue obligation is late.
    pub working_days_late: Option<u32>,
    /// Why the vault could not be read; the other fields are empty then.
    pub error: Option<String>,
}

impl ContractLineDoc {
    /// The line of a vault whose status was worked out.
    pub fn new(vault: &str, s: &StatusDoc) -> ContractLineDoc {
        let open: Vec<_> = s
            .obligations
            .iter()
            .filter(|o| matches!(o.state, ObligationState::Pending | ObligationState::Overdue))
            .collect();
        let next = open
            .iter()
            .filter(|o| o.state == ObligationState::Pending && o.due.is_some())
            .min_by(|a, b| a.due.cmp(&b.due));
        let last_deposit = s.deposits.last().map(|d| LastDepositDoc {
            label: d.label.clone(),
            date: d.date.clone(),
            verdict: d.verdict.clone(),
            accepted: d.accepted.is_some(),
        });
        ContractLineDoc {
            vault: vault.to_owned(),
            contract: s.contract.clone(),
            calendar: s.calendar.clone(),
            state: Some(
                s.obligations
                    .iter()
                    .map(|o| o.state)
                    .min()
                    .unwrap_or(ObligationState::Satisfied),
            ),
            last_deposit,
            open: open.len() as u64,
            overdue: s.overdue,
            late: s.late,
            met: s
                .obligations
                .iter()
                .filter(|o| o.state == ObligationState::Satisfied)
                .count() as u64,
            next_due: next.and_then(|o| o.due.clone()),
            next_due_provisional: next.is_some_and(|o| o.provisional),
            working_days_left: open.iter().filter_map(|o| o.working_days_left).min(),
            working_days_late: open.iter().filter_map(|o| o.working_days_late).max(),
            error: None,
        }
    }

    /// The line of a vault that could not be read.
    pub fn failed(vault: &str, error: String) -> ContractLineDoc {
        ContractLineDoc {
            vault: vault.to_owned(),
            contract: ContractDoc::default(),
            calendar: String::new(),
            state: None,
            last_deposit: None,
            open: 0,
            overdue: 0,
            late: 0,
            met: 0,
            next_due: None,
            next_due_provisional: false,
            working_days_left: None,
            working_days_late: None,
            error: Some(error),
        }
    }

    /// Urgency rank: overdue, unreadable, pending, late, unknown, all met.
    fn rank(&self) -> u8 {
        match self.state {
            Some(ObligationState::Overdue) => 0,
            None => 1,
            Some(ObligationState::Pending) => 2,
            Some(ObligationState::Late) => 3,
            Some(ObligationState::Unknown) => 4,
            Some(ObligationState::Satisfied) => 5,
        }
    }

    /// Most urgent first: by rank, then most days late, then the nearest due date, then the
    /// vault's folder.
    fn urgency(&self, other: &ContractLineDoc) -> Ordering {
        self.rank()
            .cmp(&other.rank())
            .then(other.working_days_late.cmp(&self.working_days_late))
            .then_with(|| match (&self.next_due, &other.next_due) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            })
            .then_with(|| self.vault.cmp(&other.vault))
    }
}

/// Every vault under a folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusAllDoc {
    /// The document's schema version: currently 1.
    pub schema_version: u32,
    /// Always `status-all`.
    pub document: String,
    /// Today in China Standard Time (YYYY-MM-DD).
    pub today: String,
    /// The folder searched.
    pub root: String,
    /// One line per vault, most urgent first.
    pub contracts: Vec<ContractLineDoc>,
    /// Contracts with an overdue obligation.
    pub overdue: u64,
    /// Contracts with an obligation met late.
    pub late: u64,
    /// Vaults that could not be read.
    pub errors: u64,
}

impl StatusAllDoc {
    /// The document of `lines`, sorted most urgent first.
    pub fn new(today: &str, root: &str, mut lines: Vec<ContractLineDoc>) -> StatusAllDoc {
        lines.sort_by(ContractLineDoc::urgency);
        StatusAllDoc {
            schema_version: SCHEMA_VERSION,
            document: "status-all".to_owned(),
            today: today.to_owned(),
            root: root.to_owned(),
            overdue: lines.iter().filter(|l| l.overdue > 0).count() as u64,
            late: lines.iter().filter(|l| l.late > 0).count() as u64,
            errors: lines.iter().filter(|l| l.error.is_some()).count() as u64,
            contracts: lines,
        }
    }
}

fn line_text(l: &ContractLineDoc, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let name = l
        .contract
        .title
        .as_deref()
        .or(l.contract.id.as_deref())
        .unwrap_or(if zh {
            "（合同未命名）"
        } else {
            "(unnamed)"
        });
    let vendor = l.contract.vendor.as_deref().unwrap_or("?");
    if let Some(e) = &l.error {
        return if zh {
            format!("无法读取  {}: {e}", l.vault)
        } else {
            format!("ERROR    {}: {e}", l.vault)
        };
    }
    let state = l.state.unwrap_or(ObligationState::Satisfied);
    let last = l.last_deposit.as_ref().map_or_else(
        || super::pick(lang, "no deposit", "尚无入库").to_owned(),
        |d| {
            let accepted = match (d.accepted, zh) {
                (true, true) => "（医院已接受）",
                (true, false) => " (accepted)",
                _ => "",
            };
            format!(
                "{} {} {}{accepted}",
                d.label,
                d.date,
                super::verdict_word(&d.verdict, lang)
            )
        },
    );
    let due = l.next_due.as_deref().map_or_else(
        || "-".to_owned(),
        |d| format!("{d}{}", if l.next_due_provisional { "*" } else { "" }),
    );
    let days = match (l.working_days_late, l.working_days_left) {
        (Some(n), _) if l.overdue > 0 => {
            if zh {
                format!("逾期 {n} 个工作日")
            } else {
                format!("{n} working days overdue")
            }
        }
        (_, Some(n)) => {
            if zh {
                format!("还剩 {n} 个工作日")
            } else {
                format!("{n} working days left")
            }
        }
        _ => String::new(),
    };
    if zh {
        format!(
            "{} 下一截止日 {:<11} {:<14} 未完成 {} 项 · 迟交 {} 项 · {} · 乙方 {vendor} · 最近入库 {last} · {}",
            super::pad(state.word(Lang::Zh), 8),
            due,
            days,
            l.open,
            l.late,
            name,
            l.vault
        )
    } else {
        format!(
            "{} next due {:<11} {:<24} open {} · late {} · {} · vendor {vendor} · last deposit {last} · {}",
            state.word(Lang::En),
            due,
            days,
            l.open,
            l.late,
            name,
            l.vault
        )
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl ContractLineDoc {
    fn name(&self, lang: Lang) -> String {
        self.contract
            .title
            .clone()
            .or_else(|| self.contract.id.clone())
            .unwrap_or_else(|| super::pick(lang, "(unnamed contract)", "（合同未命名）").to_owned())
    }

    /// One row of the overview table.
    fn page_row(&self, lang: Lang) -> Vec<Text> {
        let pk = |en, zh| super::pick(lang, en, zh);
        if let Some(e) = &self.error {
            return vec![
                Text::toned(pk("unreadable", "无法读取"), Tone::Bad),
                Text::plain("—"),
                Text::plain("—"),
                Text::plain("—"),
                Text::toned(e.clone(), Tone::Bad),
                Text::plain("—"),
                Text::plain("—"),
                Text::mono(self.vault.clone()),
            ];
        }
        let state = self.state.unwrap_or(ObligationState::Satisfied);
        let due = self.next_due.as_deref().map_or_else(
            || "—".to_owned(),
            |d| {
                format!(
                    "{d}{}",
                    if self.next_due_provisional {
                        pk("* (provisional)", "*（暂定）")
                    } else {
                        ""
                    }
                )
            },
        );
        let days = match (self.working_days_late, self.working_days_left) {
            (Some(n), _) if self.overdue > 0 => Text::toned(
                match lang {
                    Lang::En => format!("{n} overdue"),
                    Lang::Zh => format!("逾期 {n} 个"),
                },
                Tone::Bad,
            ),
            (_, Some(n)) => Text::plain(match lang {
                Lang::En => format!("{n} left"),
                Lang::Zh => format!("还剩 {n} 个"),
            }),
            _ => Text::plain("—"),
        };
        let last = self.last_deposit.as_ref().map_or_else(
            || Text::plain(pk("no deposit", "尚无入库")),
            |d| {
                let accepted = match (d.accepted, lang) {
                    (true, Lang::Zh) => "（医院已接受）",
                    (true, Lang::En) => " (accepted)",
                    _ => "",
                };
                let tone = if d.verdict == "fail" && !d.accepted {
                    Tone::Bad
                } else {
                    Tone::Good
                };
                Text::toned(
                    format!(
                        "{} {} {}{accepted}",
                        d.label,
                        d.date,
                        super::verdict_word(&d.verdict, lang)
                    ),
                    tone,
                )
            },
        );
        vec![
            Text::toned(state_page_word(state, lang), state_tone(state)),
            Text::plain(due),
            days,
            Text::plain(format!("{} / {}", self.open, self.late)),
            Text::plain(self.name(lang)),
            Text::plain(self.contract.vendor.clone().unwrap_or_default()),
            last,
            Text::mono(self.vault.clone()),
        ]
    }
}

impl StatusAllDoc {
    fn page_verdict(&self, lang: Lang) -> Block {
        let n = self.contracts.len();
        let (headline, tone) = match lang {
            Lang::En if self.overdue > 0 => (
                format!("OVERDUE: {} of {n} contracts", self.overdue),
                Tone::Bad,
            ),
            Lang::Zh if self.overdue > 0 => (
                format!("逾期：{n} 个合同中有 {} 个", self.overdue),
                Tone::Bad,
            ),
            Lang::En if self.errors > 0 => {
                (format!("{} vaults unreadable", self.errors), Tone::Bad)
            }
            Lang::Zh if self.errors > 0 => (format!("{} 个托管库无法读取", self.errors), Tone::Bad),
            Lang::En if self.late > 0 => ("MET LATE: nothing overdue".to_owned(), Tone::Warn),
            Lang::Zh if self.late > 0 => ("有迟交：没有逾期未交".to_owned(), Tone::Warn),
            Lang::En if n == 0 => ("NO VAULT FOUND".to_owned(), Tone::Warn),
            Lang::Zh if n == 0 => ("未找到托管库".to_owned(), Tone::Warn),
            Lang::En => ("ON TRACK: nothing overdue or late".to_owned(), Tone::Good),
            Lang::Zh => ("按期履行：没有逾期或迟交".to_owned(), Tone::Good),
        };
        let detail = match lang {
            Lang::En => format!(
                "{n} vaults (contracts) under {}: {} with overdue obligations, {} with obligations met late, {} unreadable.",
                self.root, self.overdue, self.late, self.errors
            ),
            Lang::Zh => format!(
                "{} 下共 {n} 个托管库（合同）：有逾期的 {} 个，有迟交记录的 {} 个，无法读取的 {} 个。",
                self.root, self.overdue, self.late, self.errors
            ),
        };
        Block::Verdict {
            headline,
            detail,
            tone,
        }
    }

    /// Obligations of each readable contract by state.
    fn page_bars(&self, lang: Lang) -> Option<Block> {
        let rows: Vec<BarRow> = self
            .contracts
            .iter()
            .filter(|l| l.error.is_none() && l.open + l.late + l.met > 0)
            .map(|l| BarRow {
                label: l.name(lang),
                values: vec![l.overdue, l.open - l.overdue.min(l.open), l.late, l.met],
            })
            .collect();
        (!rows.is_empty()).then(|| {
            let legend = [
                (ObligationState::Overdue, Tone::Bad),
                (ObligationState::Pending, Tone::Plain),
                (ObligationState::Late, Tone::Warn),
                (ObligationState::Satisfied, Tone::Good),
            ];
            Block::Chart(Chart::Bars {
                title: super::pick(lang, "Obligations by state", "各合同义务状态").to_owned(),
                legend: legend
                    .iter()
                    .map(|(s, t)| (state_page_word(*s, lang).to_owned(), *t))
                    .collect(),
                rows,
            })
        })
    }

    /// The printable overview of every contract.
    fn overview_page(&self, lang: Lang) -> Page {
        let pk = |en, zh| super::pick(lang, en, zh);
        let mut page = Page::new(lang, pk("Escrow overview", "托管总览"));
        page.subtitle = Some(self.root.clone());
        page.footer = footer(&match lang {
            Lang::En => format!("status as of {} (China Standard Time)", self.today),
            Lang::Zh => format!("截至 {}（北京时间）的履约状态", self.today),
        });
        page.push(self.page_verdict(lang));
        let mut ch = Chapters::new(lang);
        let header = [
            pk("State", "状态"),
            pk("Next due", "下一截止日"),
            pk("Working days", "工作日"),
            pk("Open / late", "未完成 / 迟交"),
            pk("Contract", "合同"),
            pk("Vendor", "乙方"),
            pk("Last deposit", "最近入库"),
            pk("Vault", "托管库"),
        ];
        let rows = self.contracts.iter().map(|l| l.page_row(lang)).collect();
        if let Some(t) = table(&header, &[10, 14, 10, 10, 18, 12, 18, 16], rows) {
            ch.next(
                &mut page,
                "Contracts, most urgent first",
                "各合同状态（最紧急的在前）",
            );
            page.push(t);
            if self.contracts.iter().any(|l| l.next_due_provisional) {
                page.para(super::status::provisional_note(lang));
            }
        }
        if let Some(bars) = self.page_bars(lang) {
            ch.next(&mut page, "Obligations by state", "义务状态分布");
            page.push(bars);
        }
        if self.contracts.is_empty() {
            page.para(pk(
                "No vault found: a vault is a folder with a VAULT file, made by `escrow deposit` or `escrow init`.",
                "未找到托管库：托管库是含 VAULT 文件的文件夹，由 `escrow deposit` 或 `escrow init` 创建。",
            ));
        }
        page
    }
}

impl Document for StatusAllDoc {
    fn page(&self, lang: Lang) -> Option<Page> {
        Some(self.overview_page(lang))
    }

    fn render_human(&self, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
        let zh = style.lang == Lang::Zh;
        if zh {
            writeln!(
                out,
                "今天 {}（北京时间）· {} 下共 {} 个托管库（合同），最紧急的在前",
                self.today,
                self.root,
                self.contracts.len()
            )?;
        } else {
            writeln!(
                out,
                "today {} (China Standard Time) · {} vaults (contracts) under {}, most urgent first",
                self.today,
                self.contracts.len(),
                self.root
            )?;
        }
        for l in &self.contracts {
            writeln!(
                out,
                "{}",
                crate::text::terminal_safe(&line_text(l, style.lang))
            )?;
        }
        if self.contracts.is_empty() {
            writeln!(
                out,
                "{}",
                super::pick(
                    style.lang,
                    "no vault found: a vault is a folder with a VAULT file, made by `escrow deposit` or `escrow init`",
                    "未找到托管库：托管库是含 VAULT 文件的文件夹，由 `escrow deposit` 或 `escrow init` 创建"
                )
            )?;
        }
        let mut calendars: Vec<&str> = self
            .contracts
            .iter()
            .filter(|l| l.error.is_none())
            .map(|l| l.calendar.as_str())
            .collect();
        calendars.sort_unstable();
        calendars.dedup();
        if calendars.len() > 1 {
            writeln!(
                out,
                "{}",
                super::pick(
                    style.lang,
                    "! the vaults hold different holiday notices (see each vault's `escrow status`): add a new notice to all of them with `escrow calendar add FILE --all DIR`",
                    "! 各托管库中的节假日安排不一致（用 `escrow status` 查看各库）：用 `escrow calendar add 文件 --all 文件夹` 一次加入全部托管库"
                )
            )?;
        }
        let star = self.contracts.iter().any(|l| l.next_due_provisional);
        if zh {
            writeln!(
                out,
                "有逾期的合同 {} 个，有迟交记录的 {} 个，无法读取的托管库 {} 个{}",
                self.overdue,
                self.late,
                self.errors,
                if star { "（* 为暂定日期）" } else { "" }
            )
        } else {
            writeln!(
                out,
                "{} contracts with overdue obligations, {} with late ones, {} vaults unreadable{}",
                self.overdue,
                self.late,
                self.errors,
                if star { " (* provisional date)" } else { "" }
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(
        vault: &str,
        state: ObligationState,
        overdue: u64,
        open: u64,
        met: u64,
    ) -> ContractLineDoc {
        ContractLineDoc {
            vault: vault.to_owned(),
            contract: ContractDoc {
                id: None,
                title: Some(format!("合同 {vault}")),
                vendor: Some("东软".to_owned()),
                client: None,
            },
            calendar: "mon-fri".to_owned(),
            state: Some(state),
            last_deposit: Some(LastDepositDoc {
                label: "v1".to_owned(),
                date: "2026-11-05".to_owned(),
                verdict: "fail".to_owned(),
                accepted: false,
            }),
            open,
            overdue,
            late: 0,
            met,
            next_due: (open > overdue).then(|| "2026-12-10".to_owned()),
            next_due_provisional: false,
            working_days_left: (open > overdue).then_some(8),
            working_days_late: (overdue > 0).then_some(10),
            error: None,
        }
    }

    #[test]
    fn the_overview_lists_contracts_most_urgent_first_with_unreadable_vaults() {
        let doc = StatusAllDoc::new(
            "2026-11-30",
            "/srv/escrow",
            vec![
                line("b", ObligationState::Satisfied, 0, 0, 2),
                ContractLineDoc::failed("c", "ledger broken".to_owned()),
                line("a", ObligationState::Overdue, 1, 2, 0),
            ],
        );
        let zh = doc.page(Lang::Zh).unwrap();
        let Block::Verdict { tone, headline, .. } = &zh.blocks[0] else {
            panic!()
        };
        assert_eq!(
            (*tone, headline.as_str()),
            (Tone::Bad, "逾期：3 个合同中有 1 个")
        );
        let Some(Block::Table(t)) = zh.blocks.iter().find(|b| matches!(b, Block::Table(_))) else {
            panic!()
        };
        let first: Vec<(&str, Tone)> = t
            .rows
            .iter()
            .map(|r| (r[0].text.as_str(), r[0].tone))
            .collect();
        assert_eq!(
            first,
            [
                ("逾期未交", Tone::Bad),
                ("无法读取", Tone::Bad),
                ("已履行", Tone::Good)
            ]
        );
        assert_eq!(t.rows[0][2].text, "逾期 10 个");
        assert_eq!(t.rows[1][4].text, "ledger broken");
        let bars = zh.blocks.iter().find_map(|b| match b {
            Block::Chart(Chart::Bars { rows, legend, .. }) => Some((rows.clone(), legend.clone())),
            _ => None,
        });
        let (rows, legend) = bars.unwrap();
        assert_eq!(legend[0], ("逾期未交".to_owned(), Tone::Bad));
        assert_eq!(rows.len(), 2, "the unreadable vault has no bar");
        assert_eq!(
            (rows[0].label.as_str(), &rows[0].values),
            ("合同 a", &vec![1, 1, 0, 0])
        );
        assert_eq!(&rows[1].values, &vec![0, 0, 0, 2]);
        let t = format!("{zh:?}");
        assert!(
            t.contains("一、各合同状态") && t.contains("二、义务状态分布"),
            "{t}"
        );
        let en = doc.page(Lang::En).unwrap();
        let text = format!("{en:?}");
        assert!(
            text.contains("\"10 overdue\"") && text.contains("1. Contracts, most urgent first"),
            "{text}"
        );
        assert_eq!(en.title, "Escrow overview");
    }
}
