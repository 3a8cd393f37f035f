//! Contract deadlines: deadline, golive, payment, question, answer, accept, calendar, status.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use escrow::calendar::{Calendar, Deadline, cst_date, parse_date};
use escrow::obligations::{self as status, Terms};
use escrow::report::docs::{ContractDoc, DeadlineDoc, EventDoc, StatusDoc};
use escrow::vault::{LedgerEntry, Vault, VaultError, ledger};

use super::vault_cmds::VaultArg;
use super::{EXIT_FAIL, EXIT_PASS, OutputArgs};

/// How far back an event date may lie before `--yes` is needed, in days.
const LONG_AGO_DAYS: i64 = 90;

/// Which working-day calendar to use.
#[derive(Debug, Args)]
pub struct CalendarArgs {
    /// Add a newer year's State Council notice, or a local arrangement (TOML; see the README),
    /// for this run only (`escrow calendar add FILE` keeps it with the vault).
    #[arg(long = "calendar", value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Count Monday to Friday instead of the State Council schedule.
    #[arg(long, conflicts_with = "official_only")]
    mon_fri: bool,
    /// Only the published State Council notices: refuse dates beyond them instead of
    /// computing provisional ones from the statutory holidays.
    #[arg(long)]
    official_only: bool,
}

impl CalendarArgs {
    fn none() -> CalendarArgs {
        CalendarArgs {
            files: Vec::new(),
            mon_fri: false,
            official_only: false,
        }
    }

    /// The calendar: the manifest's named one (or `cn`), the vault's stored notices, then the
    /// files given on the command line.
    fn build(&self, named: Option<&str>, vault: Option<&Vault>) -> Result<Calendar> {
        let mut cal = if self.mon_fri {
            Calendar::mon_fri()
        } else if self.official_only {
            Calendar::cn_official()
        } else {
            match named {
                Some(n) => Calendar::named(n).with_context(|| format!("unknown calendar {n:?}"))?,
                None => Calendar::cn(),
            }
        };
        if let Some(v) = vault {
            for (_, name, text) in stored_calendars(v)? {
                cal.add_text(&name, &text)?;
            }
        }
        for f in &self.files {
            cal.add_file(f)?;
        }
        Ok(cal)
    }
}

/// The notices stored with the vault and not retracted, in ledger order: (seq, name, text).
fn stored_calendars(v: &Vault) -> Result<Vec<(u64, String, String)>> {
    let led = v.ledger()?;
    Ok(stored_in(v, &led.entries)?)
}

/// [`stored_calendars`] from ledger entries already read.
fn stored_in(v: &Vault, entries: &[LedgerEntry]) -> Result<Vec<(u64, String, String)>, VaultError> {
    let retracted: Vec<u64> = entries
        .iter()
        .filter(|e| e.event == "retract")
        .filter_map(|e| e.target)
        .collect();
    let mut out = Vec::new();
    for e in entries
        .iter()
        .filter(|e| e.event == "calendar" && !retracted.contains(&e.seq))
    {
        let name = format!("the vault's notice of seq {}", e.seq);
        out.push((e.seq, name, v.load_calendar(&e.digest)?));
    }
    Ok(out)
}

#[derive(Debug, Args)]
pub struct DeadlineArgs {
    /// The trigger day (YYYY-MM-DD); it is not counted.
    #[arg(long, value_name = "DATE")]
    from: String,
    /// The deadline in working days.
    #[arg(
        long,
        value_name = "N",
        conflicts_with = "days",
        required_unless_present = "days"
    )]
    working_days: Option<u32>,
    /// The deadline in calendar days (rolled forward to the next working day).
    #[arg(long, value_name = "N")]
    days: Option<u32>,
    #[command(flatten)]
    calendar: CalendarArgs,
    /// Also count with the holiday notices added to this vault, when it exists.
    #[command(flatten)]
    vault: VaultArg,
    #[command(flatten)]
    out: OutputArgs,
}

pub fn deadline(args: &DeadlineArgs) -> Result<u8> {
    let path = args.vault.path();
    // A vault named with --vault must be one; $ESCROW_VAULT naming a vault not made yet is
    // left alone (it is set for every command).
    let from_env = std::env::var_os("ESCROW_VAULT").is_some_and(|e| Path::new(&e) == path);
    let vault = if Vault::exists(&path)
        || args.vault.is_remote()
        || (args.vault.is_given() && (!from_env || path.exists()))
    {
        Some(args.vault.open()?)
    } else {
        None
    };
    let cal = args.calendar.build(None, vault.as_ref())?;
    let from = parse_date(&args.from)?;
    let deadline = match (args.working_days, args.days) {
        (Some(n), _) => Deadline::WorkingDays(n),
        (None, Some(n)) => Deadline::CalendarDays(n),
        (None, None) => bail!("give --working-days N or --days N"),
    }
    .checked()?;
    let due = cal.due(from, deadline)?;
    let range = if cal.any_provisional(from, due) {
        Some(cal.due_range(from, deadline)?)
    } else {
        None
    };
    let doc = DeadlineDoc::new(from, deadline, due, range);
    args.out.emit(&doc)?;
    if args.out.format == super::Format::Human
        && let Some(note) = doc.provisional_note(args.out.lang.resolve())
    {
        eprintln!("{note}");
    }
    Ok(EXIT_PASS)
}

/// Today in China Standard Time (`ESCROW_NOW` fixes it).
fn today() -> Result<(String, time::Date)> {
    let now = super::now_rfc3339()?;
    let day = cst_date(&now).context("the current time is not valid RFC 3339")?;
    Ok((now, day))
}

/// `--retract SEQ --reason TEXT`: withdraw an entry recorded in error.
#[derive(Debug, Args)]
pub struct RetractArgs {
    /// Withdraw the entry at this ledger position (shown as "seq" by `escrow status`), recorded
    /// in error; the ledger keeps both, and `status` shows the retraction.
    #[arg(long, value_name = "SEQ", requires = "reason")]
    retract: Option<u64>,
    /// Why (required with --retract and for `escrow accept`).
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
}

/// `--date DATE --yes`: the day an event happened.
#[derive(Debug, Args)]
pub struct DateArgs {
    /// The day it happened (YYYY-MM-DD, China Standard Time) [default: today].
    #[arg(long, value_name = "DATE")]
    date: Option<String>,
    /// Record a date in the future or more than 90 days ago (refused without it, as a typo
    /// there would start a wrong clock).
    #[arg(long)]
    yes: bool,
}

#[derive(Debug, Args)]
pub struct GoliveArgs {
    /// What went live (e.g. "门诊预约改版").
    #[arg(required_unless_present = "retract")]
    name: Option<String>,
    #[command(flatten)]
    date: DateArgs,
    #[command(flatten)]
    retract: RetractArgs,
    #[command(flatten)]
    vault: VaultArg,
    #[command(flatten)]
    out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PaymentArgs {
    #[command(flatten)]
    date: DateArgs,
    /// A note, e.g. the payment's reference.
    #[arg(long, default_value = "")]
    note: String,
    #[command(flatten)]
    retract: RetractArgs,
    #[command(flatten)]
    vault: VaultArg,
    #[command(flatten)]
    out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct QuestionArgs {
    /// The question put to the vendor (e.g. "预约接口超时如何配置？").
    #[arg(required_unless_present = "retract")]
    text: Option<String>,
    #[command(flatten)]
    date: DateArgs,
    #[command(flatten)]
    retract: RetractArgs,
    #[command(flatten)]
    vault: VaultArg,
    #[command(flatten)]
    out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct AnswerArgs {
    /// The ledger position of the question answered (printed by `escrow question`).
    #[arg(required_unless_present = "retract")]
    question: Option<u64>,
    /// A note on the answer, e.g. where it is filed.
    #[arg(long, default_value = "")]
    note: String,
    #[command(flatten)]
    date: DateArgs,
    #[command(flatten)]
    retract: RetractArgs,
    #[command(flatten)]
    vault: VaultArg,
    #[command(flatten)]
    out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct AcceptArgs {
    /// The ledger position of the failing deposit the hospital accepts (shown by `escrow
    /// status`).
    #[arg(required_unless_present = "retract")]
    deposit: Option<u64>,
    #[command(flatten)]
    retract: RetractArgs,
    #[command(flatten)]
    vault: VaultArg,
    #[command(flatten)]
    out: OutputArgs,
}

/// An event to record: its kind, text, day and reference.
struct Record<'a> {
    kind: &'static str,
    name: &'a str,
    date: &'a DateArgs,
    target: Option<u64>,
    reason: &'a str,
}

impl<'a> Record<'a> {
    /// An event with no reason: a go-live, payment, question or answer.
    fn event(
        kind: &'static str,
        name: &'a str,
        date: &'a DateArgs,
        target: Option<u64>,
    ) -> Record<'a> {
        Record {
            kind,
            name,
            date,
            target,
            reason: "",
        }
    }
}

pub fn golive(args: &GoliveArgs) -> Result<u8> {
    if let Some(seq) = args.retract.retract {
        return retract(&args.vault, "golive", seq, &args.retract, &args.out);
    }
    let name = args.name.as_deref().unwrap_or_default();
    if name.trim().is_empty() {
        bail!(
            "give the name of what went live, e.g. escrow golive \"门诊预约改版\" --date 2026-03-10"
        );
    }
    record(
        &args.vault,
        &Record::event("golive", name, &args.date, None),
        &args.out,
    )
}

pub fn payment(args: &PaymentArgs) -> Result<u8> {
    if let Some(seq) = args.retract.retract {
        return retract(&args.vault, "payment", seq, &args.retract, &args.out);
    }
    record(
        &args.vault,
        &Record::event("payment", &args.note, &args.date, None),
        &args.out,
    )
}

pub fn question(args: &QuestionArgs) -> Result<u8> {
    if let Some(seq) = args.retract.retract {
        return retract(&args.vault, "question", seq, &args.retract, &args.out);
    }
    let text = args.text.as_deref().unwrap_or_default();
    if text.trim().is_empty() {
        bail!("give the question, e.g. escrow question \"预约接口超时如何配置？\"");
    }
    record(
        &args.vault,
        &Record::event("question", text, &args.date, None),
        &args.out,
    )
}

pub fn answer(args: &AnswerArgs) -> Result<u8> {
    if let Some(seq) = args.retract.retract {
        return retract(&args.vault, "answer", seq, &args.retract, &args.out);
    }
    record(
        &args.vault,
        &Record::event("answer", &args.note, &args.date, args.question),
        &args.out,
    )
}

pub fn accept(args: &AcceptArgs) -> Result<u8> {
    if let Some(seq) = args.retract.retract {
        return retract(&args.vault, "accept", seq, &args.retract, &args.out);
    }
    let reason = args.retract.reason.as_deref().unwrap_or_default();
    if reason.trim().is_empty() {
        bail!(
            "give the reason the hospital accepts this failing deposit, e.g. escrow accept 3 --reason \"缺少的接口文档已于 2026-11-20 纸质补交\""
        );
    }
    let today = DateArgs {
        date: None,
        yes: false,
    };
    record(
        &args.vault,
        &Record {
            kind: "accept",
            name: "",
            date: &today,
            target: args.deposit,
            reason,
        },
        &args.out,
    )
}

/// Refuse a date in the future or long ago unless `--yes`: a typo there starts a wrong clock.
fn check_date(day: time::Date, today: time::Date, yes: bool, event: &str) -> Result<()> {
    if yes {
        return Ok(());
    }
    let what = match event {
        "golive" => "go-live",
        "payment" => "payment",
        "question" => "question",
        _ => "answer",
    };
    if day > today {
        bail!(
            "--date {day} is in the future (today is {today}, China Standard Time): record the {what} on the day it happened. If the date is right, repeat the command with --yes. / 日期 {day} 晚于今天 {today}：请在事情发生后再记录；如日期无误，请加 --yes 重新执行。"
        );
    }
    let ago = (today - day).whole_days();
    if ago > LONG_AGO_DAYS {
        bail!(
            "--date {day} is {ago} days ago (more than {LONG_AGO_DAYS}): check the year. If the date is right, repeat the command with --yes. / 日期 {day} 是 {ago} 天前（超过 {LONG_AGO_DAYS} 天），请核对年份；如日期无误，请加 --yes 重新执行。"
        );
    }
    Ok(())
}

fn record(vault: &VaultArg, ev: &Record<'_>, out: &OutputArgs) -> Result<u8> {
    let (now, today) = today()?;
    let day = match &ev.date.date {
        Some(d) => parse_date(d)?,
        None => today,
    };
    check_date(day, today, ev.date.yes, ev.kind)?;
    let v = vault.open_or_init(out.lang, false)?;
    // The terms and calendar first: a vault whose notices cannot be read records nothing.
    let (cal, terms, _) = deadlines(&v, None, &CalendarArgs::none())?;
    let entry = LedgerEntry {
        time: now,
        event: ev.kind.to_owned(),
        name: ev.name.to_owned(),
        date: day.to_string(),
        target: ev.target,
        reason: ev.reason.to_owned(),
        ..LedgerEntry::default()
    };
    let kind = ev.kind;
    let (e, head) = ledger::record_event(&v, &entry, |led| check_event(led, kind, ev, day))?;
    let deadline = match kind {
        "golive" => Some(terms.update),
        "payment" => Some(terms.delivery),
        "question" => Some(terms.answer),
        _ => None,
    };
    let doc = match deadline {
        Some(deadline) => {
            let due = cal
                .due(day, deadline)
                .map(|d| d.to_string())
                .map_err(|err| err.to_string());
            let range = cal
                .due(day, deadline)
                .ok()
                .filter(|d| cal.any_provisional(day, *d))
                .and_then(|_| cal.due_range(day, deadline).ok());
            EventDoc::new(&e, &head, &deadline.to_string(), due).provisional(range)
        }
        None => {
            let mut doc = EventDoc::new(&e, &head, "", Err(String::new()));
            if kind == "answer" {
                doc = doc.answer_due(answer_due(&v, &cal, &terms, &e)?);
            }
            doc
        }
    };
    out.emit(&doc)?;
    Ok(EXIT_PASS)
}

/// The due date of the question an answer answers, and how many working days late the answer
/// is (0: in time); `None` when the calendar cannot tell.
fn answer_due(
    v: &Vault,
    cal: &Calendar,
    terms: &Terms,
    answer: &LedgerEntry,
) -> Result<Option<(time::Date, u32)>> {
    let led = v.ledger()?;
    let Some(q) = led.entries.iter().find(|e| Some(e.seq) == answer.target) else {
        return Ok(None);
    };
    let (Ok(asked), Ok(answered)) = (parse_date(&q.date), parse_date(&answer.date)) else {
        return Ok(None);
    };
    Ok(cal.due(asked, terms.answer).ok().and_then(|due| {
        cal.working_days_between(due, answered)
            .ok()
            .map(|late| (due, late))
    }))
}

/// No entry at `seq`: what to say.
fn no_entry(led: &ledger::Ledger, seq: u64) -> VaultError {
    let range = match led.entries.len() {
        0 => "the ledger is empty / 账本为空".to_owned(),
        n => format!("seqs run from 0 to {} / 序号为 0 至 {}", n - 1, n - 1),
    };
    VaultError::Invalid {
        message: format!(
            "there is no ledger entry with seq {seq} ({range}); `escrow status` shows the seq of each entry / 账本中没有序号 {seq} 的记录，请用 `escrow status` 查看各条记录的序号"
        ),
    }
}

/// The position of the entry that retracted `seq`, if one did.
fn retracted_by(led: &ledger::Ledger, seq: u64) -> Option<u64> {
    led.entries
        .iter()
        .find(|e| e.event == "retract" && e.target == Some(seq))
        .map(|e| e.seq)
}

/// What an event may not do, seen under the lock: an `answer` or `accept` must refer to an
/// entry of the right kind that is not withdrawn; a second go-live of the same name or a
/// second answer to a question needs `--yes`.
fn check_event(
    led: &ledger::Ledger,
    event: &str,
    ev: &Record<'_>,
    day: time::Date,
) -> Result<(), VaultError> {
    let (name, target, yes) = (ev.name, ev.target, ev.date.yes);
    if event == "golive"
        && !yes
        && let Some(e) = led.entries.iter().find(|e| {
            e.event == "golive"
                && e.name.trim() == name.trim()
                && retracted_by(led, e.seq).is_none()
        })
    {
        return Err(VaultError::Invalid {
            message: format!(
                "a go-live named {name:?} is already recorded (seq {}, dated {}); if this is another go-live of the same name, repeat with --yes, else correct that one with `escrow golive --retract {} --reason \"…\"` / 已有同名上线记录（序号 {}，上线日期 {}）；如确是又一次同名上线，请加 --yes 重新执行，否则请撤销原记录后重新记录",
                e.seq, e.date, e.seq, e.seq, e.date
            ),
        });
    }
    let (Some(t), want, want_zh) = (
        target,
        match event {
            "answer" => "question",
            "accept" => "deposit",
            _ => return Ok(()),
        },
        if event == "answer" {
            "提问"
        } else {
            "入库"
        },
    ) else {
        return Ok(());
    };
    let Some(e) = led.entries.iter().find(|e| e.seq == t) else {
        return Err(no_entry(led, t));
    };
    if e.event != want {
        return Err(VaultError::Invalid {
            message: format!(
                "{} is not a {want}; `escrow status` shows the seq of each {want} / {}，不是{want_zh}记录",
                ledger::describe(e),
                ledger::describe_zh(e)
            ),
        });
    }
    if let Some(by) = retracted_by(led, t) {
        return Err(VaultError::Invalid {
            message: format!("seq {t} was retracted by seq {by} / 序号 {t} 已被序号 {by} 撤销"),
        });
    }
    if want == "question" && parse_date(&e.date).is_ok_and(|asked| day < asked) {
        return Err(VaultError::Invalid {
            message: format!(
                "the answer's date {day} is before the question was asked ({}); give the day it was answered with --date / 答复日期 {day} 早于提问日期 {}，请用 --date 给出实际答复日期",
                e.date, e.date
            ),
        });
    }
    if want == "deposit" && e.verdict != "fail" {
        return Err(VaultError::Invalid {
            message: format!(
                "seq {t} is the deposit {:?}, which passed its check: there is nothing to accept / 序号 {t} 的入库「{}」已通过检查，无需接受",
                e.label, e.label
            ),
        });
    }
    let earlier = led
        .entries
        .iter()
        .find(|x| x.event == event && x.target == Some(t) && retracted_by(led, x.seq).is_none());
    if let (Some(x), false) = (earlier, yes) {
        return Err(VaultError::Invalid {
            message: format!(
                "seq {t} already has {} (seq {x_seq}); repeat with --yes to record another, or withdraw that one with `escrow {event} --retract {x_seq} --reason \"…\"` / 序号 {t} 已有{}记录（序号 {x_seq}）；如需再记录一次请加 --yes",
                if event == "answer" {
                    "an answer"
                } else {
                    "an acceptance"
                },
                if event == "answer" {
                    "答复"
                } else {
                    "接受"
                },
                x_seq = x.seq
            ),
        });
    }
    Ok(())
}

/// Record a `retract` of the `event` entry at `seq`, with the reason.
fn retract(
    vault: &VaultArg,
    event: &'static str,
    seq: u64,
    r: &RetractArgs,
    out: &OutputArgs,
) -> Result<u8> {
    let reason = r.reason.as_deref().unwrap_or_default();
    if reason.trim().is_empty() {
        bail!("--retract {seq} needs --reason \"…\": why the entry was recorded in error");
    }
    let (now, today) = today()?;
    let v = vault.open()?;
    let entry = LedgerEntry {
        time: now,
        event: "retract".to_owned(),
        date: today.to_string(),
        target: Some(seq),
        reason: reason.to_owned(),
        ..LedgerEntry::default()
    };
    let (e, head) = ledger::record_event(&v, &entry, |led| {
        let Some(t) = led.entries.iter().find(|e| e.seq == seq) else {
            return Err(no_entry(led, seq));
        };
        let message = if t.event == "deposit" {
            format!(
                "{} cannot be retracted: a deposit is evidence of what was delivered. A failing deposit already counts for nothing unless the hospital accepts it / {}：入库记录不能撤销，它是交付的证据；未通过检查的入库本来就不算履行，除非医院接受",
                ledger::describe(t),
                ledger::describe_zh(t)
            )
        } else if t.event == "retract" {
            format!(
                "{} is itself a retraction and cannot be withdrawn; record the withdrawn entry again instead / {}：撤销记录本身不能再撤销，请重新记录被撤销的内容",
                ledger::describe(t),
                ledger::describe_zh(t)
            )
        } else if t.event != event {
            format!(
                "{} is not a {event} entry: withdraw it with `escrow {} {seq} --reason \"…\"` / {}，不是「{}」记录",
                ledger::describe(t),
                if t.event == "calendar" {
                    "calendar retract".to_owned()
                } else {
                    t.event.clone()
                },
                ledger::describe_zh(t),
                ledger::event_zh(event)
            )
        } else if let Some(by) = retracted_by(led, seq) {
            format!("seq {seq} was already retracted by seq {by} / 序号 {seq} 已被序号 {by} 撤销")
        } else {
            return Ok(());
        };
        Err(VaultError::Invalid { message })
    })?;
    out.emit(&EventDoc::new(&e, &head, "", Err(String::new())))?;
    Ok(EXIT_PASS)
}

/// The deadlines and calendar in force, and the contract: from `--manifest`, else the latest
/// deposit's manifest, else the defaults (10, 30 and 3 working days, the State Council
/// calendar), with the notices stored in the vault.
fn deadlines(
    v: &Vault,
    manifest: Option<&PathBuf>,
    cal_args: &CalendarArgs,
) -> Result<(Calendar, Terms, ContractDoc)> {
    let contract = match manifest {
        Some(p) => Some(escrow::manifest::load(p)?.contract),
        None => match v.snapshots()?.last() {
            Some(last) => {
                let rec = v.load_snapshot(&last.snapshot)?;
                match escrow::manifest::parse(&rec.manifest.text) {
                    Ok(m) => Some(m.contract),
                    Err(_) => {
                        eprintln!(
                            "warning: the manifest stored with the latest deposit ({}) no longer loads in this escrow; the default deadlines are used: give the contract's terms with --manifest FILE",
                            escrow::text::terminal_safe(&last.label)
                        );
                        None
                    }
                }
            }
            None => None,
        },
    };
    let c = contract.unwrap_or_default();
    let from_manifest = Terms::from_contract(
        c.update_deadline.as_deref(),
        c.delivery_deadline.as_deref(),
        c.answer_deadline.as_deref(),
    )?;
    // The terms in force, as the ledger recorded them, unless --manifest says otherwise.
    let recorded = match manifest {
        Some(_) => None,
        None => {
            let led = v.ledger()?;
            ledger::terms_in_force(&led.entries).and_then(|(t, _)| Terms::from_text(t))
        }
    };
    let (terms, calendar) = match recorded {
        Some((t, cal)) => (t, Some(cal)),
        None => (from_manifest, c.calendar.clone()),
    };
    let doc = ContractDoc {
        id: c.id.clone(),
        title: c.title.clone(),
        vendor: c.vendor.clone(),
        client: c.client.clone(),
    };
    Ok((cal_args.build(calendar.as_deref(), Some(v))?, terms, doc))
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    vault: VaultArg,
    /// Take the deadlines from this manifest [default: the terms recorded in the vault: the
    /// first deposit's, or the last made with --amend-terms].
    #[arg(short, long, value_name = "FILE")]
    manifest: Option<PathBuf>,
    #[command(flatten)]
    calendar: CalendarArgs,
    #[command(flatten)]
    out: OutputArgs,
    /// A ledger head printed by an earlier deposit, golive or payment: refuse (exit 2) unless
    /// the ledger still contains it, since obligations counted from a cut ledger are wrong.
    #[arg(long, value_name = "SHA256")]
    head: Option<String>,
    /// Exit 1 for any breach, also an obligation met late (for jobs that must alert on it).
    #[arg(long)]
    strict: bool,
    /// Every vault under this folder: one line per contract, most urgent first.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["head", "manifest"])]
    all: Option<PathBuf>,
}

/// The status of the vault at `v`: read, verified, worked out.
pub(super) fn vault_status(
    v: &Vault,
    manifest: Option<&PathBuf>,
    cal_args: &CalendarArgs,
    head: Option<&str>,
    today: time::Date,
) -> Result<StatusDoc> {
    let (cal, terms, contract) = deadlines(v, manifest, cal_args)?;
    let led = v.ledger()?;
    if let Some((_, p)) = led.problems.first() {
        bail!("{}: {p}; run `escrow audit`", v.ledger_path().display());
    }
    if let Some(h) = head {
        if !ledger::is_head(h) {
            bail!(
                "--head {h:?} is not a ledger head: give the 64 hex digits printed as \"Ledger head\" by deposit, golive or payment"
            );
        }
        if led.position(h).is_none() {
            bail!(
                "{}: the ledger no longer contains the head {} given with --head: entries were removed or edited, so the obligations cannot be worked out; run `escrow audit --head {}`",
                v.ledger_path().display(),
                h.trim(),
                h.trim()
            );
        }
    }
    // Obligations are measured by the terms the vault was bound with (amendments apply from
    // their day on, inside `status`), unless --manifest gives other terms for this run.
    let base = match manifest {
        Some(_) => terms,
        None => ledger::first_terms(&led.entries)
            .and_then(Terms::from_text)
            .map_or(terms, |(t, _)| t),
    };
    let s = status::status(&led.entries, &cal, &base, today);
    Ok(StatusDoc::new(&s, contract).with_ledger_head(&led.head))
}

pub fn run_status(args: &StatusArgs) -> Result<u8> {
    let (_, today) = today()?;
    if let Some(dir) = &args.all {
        return super::status_all::run(dir, &args.calendar, args.strict, &args.out, today);
    }
    let v = args.vault.open()?;
    let doc = vault_status(
        &v,
        args.manifest.as_ref(),
        &args.calendar,
        args.head.as_deref(),
        today,
    )?;
    args.out.emit(&doc)?;
    Ok(if doc.breached(args.strict) {
        EXIT_FAIL
    } else {
        EXIT_PASS
    })
}

/// `escrow calendar`: the working-day calendar's notices.
#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Check a State Council holiday notice (TOML, see the README) and keep it with the vault:
    /// every later `status` counts with it, and its dates replace the provisional ones.
    Add(CalendarAddArgs),
    /// Withdraw a notice added in error (by its seq), with the reason.
    Retract(CalendarRetractArgs),
}

#[derive(Debug, Args)]
pub struct CalendarRetractArgs {
    /// The seq of the `calendar` entry (printed by `escrow calendar add`).
    seq: u64,
    /// Why it is withdrawn.
    #[arg(long, value_name = "TEXT")]
    reason: String,
    #[command(flatten)]
    vault: VaultArg,
    #[command(flatten)]
    out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct CalendarAddArgs {
    /// The notice, in the calendar format (see the README).
    file: PathBuf,
    /// Add it to every vault under this folder (each contract's vault keeps its own copy).
    #[arg(long, value_name = "DIR")]
    all: Option<PathBuf>,
    /// Add it even though it leaves out a statutory holiday of its year.
    #[arg(long)]
    yes: bool,
    #[command(flatten)]
    vault: VaultArg,
    #[command(flatten)]
    out: OutputArgs,
}

pub fn calendar(cmd: &CalendarCommand) -> Result<u8> {
    match cmd {
        CalendarCommand::Add(args) => calendar_add(args),
        CalendarCommand::Retract(args) => retract(
            &args.vault,
            "calendar",
            args.seq,
            &RetractArgs {
                retract: Some(args.seq),
                reason: Some(args.reason.clone()),
            },
            &args.out,
        ),
    }
}

/// Read a notice file: a regular file (a FIFO or device is refused, not waited on) of at most
/// 256 KiB, UTF-8.
fn read_notice(path: &Path) -> Result<(Vec<u8>, String)> {
    use std::io::Read;
    let max = escrow::calendar::MAX_NOTICE_BYTES as u64;
    let f = std::fs::File::open(path).with_context(|| {
        format!(
            "{}: cannot read the holiday notice file; check the path / 无法读取节假日安排文件，请检查路径",
            path.display()
        )
    })?;
    let meta = f.metadata()?;
    if !meta.is_file() || meta.len() > max {
        bail!(
            "{}: not a holiday notice: give a regular TOML file of at most {max} bytes / 不是节假日安排文件（须为不超过 256 KiB 的普通 TOML 文件）",
            path.display()
        );
    }
    let mut bytes = Vec::new();
    f.take(max + 1).read_to_end(&mut bytes)?;
    let text = String::from_utf8(bytes.clone()).map_err(|_| {
        anyhow::anyhow!(
            "{}: not UTF-8 text; save the notice as UTF-8 (see the README for the format) / 文件不是 UTF-8 编码，请另存为 UTF-8",
            path.display()
        )
    })?;
    Ok((bytes, text))
}

fn calendar_add(args: &CalendarAddArgs) -> Result<u8> {
    let (bytes, text) = read_notice(&args.file)?;
    let desc = validate_notice(&args.file, &text, args.yes)?;
    let (vaults, unreadable) = match &args.all {
        Some(dir) => super::status_all::find_vaults(dir)?,
        None => (vec![args.vault.path()], Vec::new()),
    };
    if vaults.is_empty() && unreadable.is_empty() {
        bail!(
            "no vault under {}: nothing to add the notice to / 该文件夹下没有托管库",
            args.all.as_deref().unwrap_or(Path::new(".")).display()
        );
    }
    let mut failed: Vec<String> = unreadable
        .iter()
        .map(|(p, why)| format!("{}: {why}", p.display()))
        .collect();
    for path in &vaults {
        let added = if args.all.is_some() {
            Vault::open(path)
                .map_err(anyhow::Error::from)
                .and_then(|v| add_to_vault(&v, &args.file, &bytes, &text, &desc))
        } else {
            args.vault
                .open_or_init(args.out.lang, false)
                .and_then(|v| add_to_vault(&v, &args.file, &bytes, &text, &desc))
        };
        match added {
            Ok(Some((e, head))) => {
                if args.all.is_some() && args.out.format == super::Format::Human {
                    println!(
                        "{}:",
                        escrow::text::terminal_safe(&path.display().to_string())
                    );
                }
                args.out
                    .emit(&EventDoc::new(&e, &head, "", Err(String::new())))?;
            }
            Ok(None) => eprintln!(
                "{}: already holds this notice; nothing recorded / 该托管库已有此安排，未重复记录",
                escrow::text::terminal_safe(&path.display().to_string())
            ),
            Err(e) if args.all.is_some() => {
                failed.push(format!("{}: {}", path.display(), super::describe(&e)));
            }
            Err(e) => return Err(e),
        }
    }
    if !failed.is_empty() {
        bail!(
            "the notice was not added to {} vault(s) (the others have it now; run the same command again after fixing these, the vaults that hold it are skipped) / 以下托管库未能加入：\n{}",
            failed.len(),
            failed.join("\n")
        );
    }
    Ok(EXIT_PASS)
}

/// Store the notice in `v` and record it, checked under the vault's lock against the notices
/// it holds (another notice for one of its years, or a clash, is refused); `None` when the
/// vault already holds exactly this notice.
fn add_to_vault(
    v: &Vault,
    file: &Path,
    bytes: &[u8],
    text: &str,
    desc: &str,
) -> Result<Option<(LedgerEntry, String)>> {
    let led = v.ledger()?;
    let digest = {
        use sha2::Digest;
        escrow::hash::hex(&sha2::Sha256::digest(bytes))
    };
    let retracted = |seq: u64| {
        led.entries
            .iter()
            .any(|e| e.event == "retract" && e.target == Some(seq))
    };
    if led
        .entries
        .iter()
        .any(|e| e.event == "calendar" && e.digest == digest && !retracted(e.seq))
    {
        return Ok(None);
    }
    // The same check as the terms and calendar of every command, before anything is written.
    deadlines(v, None, &CalendarArgs::none())?;
    v.store_calendar(bytes)?;
    let (now, today) = today()?;
    let entry = LedgerEntry {
        time: now,
        event: "calendar".to_owned(),
        name: desc.to_owned(),
        date: today.to_string(),
        digest: digest.clone(),
        ..LedgerEntry::default()
    };
    let name = file.display().to_string();
    let (e, head) = ledger::record_event(v, &entry, |led| against_stored(v, led, &name, text))?;
    Ok(Some((e, head)))
}

/// Under the lock: the vault's notices (not retracted) and the new one must not cover the same
/// year, nor clash.
fn against_stored(
    v: &Vault,
    led: &ledger::Ledger,
    name: &str,
    text: &str,
) -> Result<(), VaultError> {
    let stored = stored_in(v, &led.entries)?;
    let invalid = |message: String| VaultError::Invalid { message };
    let new = escrow::calendar::validate_text(name, text)
        .map_err(|_| invalid(format!("{name}: the notice no longer checks")))?;
    let mut cal = Calendar::cn();
    for (seq, stored_name, stored_text) in &stored {
        let info = cal
            .add_text(stored_name, stored_text)
            .map_err(|e| invalid(e.to_string()))?;
        if let Some(y) = info.years.iter().find(|y| new.years.contains(y)) {
            return Err(invalid(format!(
                "the vault already holds a notice for {y} (seq {seq}); withdraw it first with `escrow calendar retract {seq} --reason \"…\"` if the new one replaces it / 托管库中已有 {y} 年的安排（序号 {seq}），如需替换请先撤销"
            )));
        }
    }
    cal.add_text(name, text).map(|_| ()).map_err(|e| {
        invalid(format!(
            "{e}: the notice contradicts a notice the vault already holds; withdraw that one first with `escrow calendar retract SEQ --reason \"…\"` / 与托管库中已有的节假日安排矛盾"
        ))
    })
}

/// Check a notice on its own (every problem, with FILE:LINE:COL), against the built-in
/// calendar (a day the official data says otherwise), and against the statutory holidays of
/// its years (each must be a rest day, unless `yes`); its description for the ledger.
fn validate_notice(path: &Path, text: &str, yes: bool) -> Result<String> {
    let name = path.display().to_string();
    let info = match escrow::calendar::validate_text(&name, text) {
        Ok(info) => info,
        Err(problems) => {
            let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
            let (count, count_zh) = if lines.len() >= 100 {
                ("the first 100 problems".to_owned(), "至少 100".to_owned())
            } else {
                (
                    format!("{} problem(s)", lines.len()),
                    lines.len().to_string(),
                )
            };
            bail!(
                "{}\n{name}: {count} in the holiday notice; fix them and run again (the format is in the README, \"Contract deadlines\") / 节假日安排文件有 {count_zh} 处问题（见上面各行的行号:列号），请改正后重新执行",
                lines.join("\n")
            );
        }
    };
    let builtin = Calendar::cn();
    let mut contradicts = Vec::new();
    for (days, working) in [(&info.holidays, false), (&info.makeup_workdays, true)] {
        for d in days {
            // A notice may set the last days of the December before (2019's made 2018-12-29
            // a working day, 2012's made 2011-12-31 one): those are the notice's to decide.
            let december_before = d.month() == time::Month::December
                && d.day() >= 25
                && info.years.contains(&(d.year() + 1));
            if !december_before
                && !builtin.is_provisional(*d)
                && builtin.is_working(*d).is_ok_and(|w| w != working)
            {
                contradicts.push(d.to_string());
            }
        }
    }
    if !contradicts.is_empty() {
        bail!(
            "{name}: the notice contradicts the official notices escrow holds on {}: a notice may only add years no official notice covers / 安排与内置的国务院正式安排在以下日期矛盾：{}",
            contradicts.join(", "),
            contradicts.join("、")
        );
    }
    let mut cal = builtin;
    cal.add_text(&name, text)?;
    let statutory = Calendar::cn_official();
    let mut missing = Vec::new();
    for year in &info.years {
        for (day, festival) in statutory.provisional_holidays(*year) {
            if festival.contains('（') {
                continue; // a compensation day: the notice decides where it goes
            }
            if day >= info.coverage_start
                && day <= info.coverage_end
                && !info.holidays.contains(&day)
                && !matches!(
                    day.weekday(),
                    time::Weekday::Saturday | time::Weekday::Sunday
                )
            {
                missing.push(format!("{day} {festival}"));
            }
        }
    }
    if !missing.is_empty() && !yes {
        bail!(
            "{name}: the notice leaves out statutory holidays that every notice gives as rest days: {}. Check that no festival was forgotten; if the notice is right, repeat with --yes / 安排中缺少法定节假日：{}。请核对是否漏写了节日；如确认无误，请加 --yes 重新执行",
            missing.join(", "),
            missing.join("、")
        );
    }
    let years: Vec<String> = info.years.iter().map(ToString::to_string).collect();
    Ok(format!(
        "{} ({} – {}; {})",
        info.sources.join(", "),
        info.coverage_start,
        info.coverage_end,
        years.join(", ")
    ))
}
