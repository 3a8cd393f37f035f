//! Contract deadlines: deadline, golive, payment, status.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use escrow::calendar::{Calendar, Deadline, cst_date, parse_date};
use escrow::obligations as status;
use escrow::report::docs::{DeadlineDoc, EventDoc, StatusDoc};
use escrow::vault::{ledger, lock};

use super::vault_cmds::VaultArg;
use super::{EXIT_ERROR, EXIT_FAIL, EXIT_PASS, OutputArgs};

/// Which working-day calendar to use.
#[derive(Debug, Args)]
pub struct CalendarArgs {
    /// Add a newer year's State Council notice, or a local arrangement (TOML; see the README).
    #[arg(long = "calendar", value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Count Monday to Friday instead of the State Council schedule.
    #[arg(long)]
    mon_fri: bool,
}

impl CalendarArgs {
    fn build(&self, named: Option<&str>) -> Result<Calendar> {
        let mut cal = if self.mon_fri {
            Calendar::mon_fri()
        } else {
            match named {
                Some(n) => Calendar::named(n).with_context(|| format!("unknown calendar {n:?}"))?,
                None => Calendar::cn(),
            }
        };
        for f in &self.files {
            cal.add_file(f)?;
        }
        Ok(cal)
    }
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
    #[command(flatten)]
    out: OutputArgs,
}

pub fn deadline(args: &DeadlineArgs) -> Result<u8> {
    let cal = args.calendar.build(None)?;
    let from = parse_date(&args.from)?;
    let deadline = match (args.working_days, args.days) {
        (Some(n), _) => Deadline::WorkingDays(n),
        (None, Some(n)) => Deadline::CalendarDays(n),
        (None, None) => bail!("give --working-days N or --days N"),
    };
    let due = cal.due(from, deadline)?;
    args.out.emit(&DeadlineDoc::new(from, deadline, due))?;
    Ok(EXIT_PASS)
}

/// Today in China Standard Time (`ESCROW_NOW` fixes it).
fn today() -> Result<(String, time::Date)> {
    let now = super::now_rfc3339()?;
    let day = cst_date(&now).context("the current time is not valid RFC 3339")?;
    Ok((now, day))
}

#[derive(Debug, Args)]
pub struct GoliveArgs {
    /// What went live (e.g. "门诊预约改版").
    name: String,
    /// The day it went live (YYYY-MM-DD, China Standard Time) [default: today].
    #[arg(long, value_name = "DATE")]
    date: Option<String>,
    #[command(flatten)]
    vault: VaultArg,
    #[command(flatten)]
    out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PaymentArgs {
    /// The day of the final payment (YYYY-MM-DD, China Standard Time) [default: today].
    #[arg(long, value_name = "DATE")]
    date: Option<String>,
    /// A note, e.g. the payment's reference.
    #[arg(long, default_value = "")]
    note: String,
    #[command(flatten)]
    vault: VaultArg,
    #[command(flatten)]
    out: OutputArgs,
}

pub fn golive(args: &GoliveArgs) -> Result<u8> {
    if args.name.trim().is_empty() {
        bail!(
            "give the name of what went live, e.g. escrow golive \"门诊预约改版\" --date 2026-03-10"
        );
    }
    record(
        &args.vault,
        "golive",
        &args.name,
        args.date.as_deref(),
        &args.out,
    )
}

pub fn payment(args: &PaymentArgs) -> Result<u8> {
    record(
        &args.vault,
        "payment",
        &args.note,
        args.date.as_deref(),
        &args.out,
    )
}

fn record(
    vault: &VaultArg,
    event: &str,
    name: &str,
    date: Option<&str>,
    out: &OutputArgs,
) -> Result<u8> {
    let (now, today) = today()?;
    let day = match date {
        Some(d) => parse_date(d)?,
        None => today,
    };
    let v = vault.open_or_init(out.lang, false)?;
    let (e, head) = ledger::record_event(
        &v,
        event,
        name,
        &day.to_string(),
        &now,
        lock::default_wait(super::env_lock_wait().as_deref()),
    )?;
    let (cal, update, delivery) = deadlines(
        &v,
        None,
        &CalendarArgs {
            files: Vec::new(),
            mon_fri: false,
        },
    )?;
    let deadline = if event == "golive" { update } else { delivery };
    let due = cal
        .due(day, deadline)
        .map(|d| d.to_string())
        .map_err(|err| err.to_string());
    out.emit(&EventDoc::new(&e, &head, &deadline.to_string(), due))?;
    Ok(EXIT_PASS)
}

/// The deadlines and calendar in force: from `--manifest`, else the latest deposit's manifest,
/// else the defaults (10 and 30 working days, the State Council calendar).
fn deadlines(
    v: &escrow::vault::Vault,
    manifest: Option<&PathBuf>,
    cal_args: &CalendarArgs,
) -> Result<(Calendar, Deadline, Deadline)> {
    let contract = match manifest {
        Some(p) => Some(escrow::manifest::load(p)?.contract),
        None => match v.snapshots()?.last() {
            Some(last) => {
                let rec = v.load_snapshot(&last.snapshot)?;
                escrow::manifest::parse(&rec.manifest.text)
                    .ok()
                    .map(|m| m.contract)
            }
            None => None,
        },
    };
    let c = contract.unwrap_or_default();
    let update = Deadline::parse(c.update_deadline.as_deref().unwrap_or("10 working days"))?;
    let delivery = Deadline::parse(c.delivery_deadline.as_deref().unwrap_or("30 working days"))?;
    Ok((cal_args.build(c.calendar.as_deref())?, update, delivery))
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    vault: VaultArg,
    /// Take the deadlines from this manifest [default: the latest deposit's].
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
}

pub fn run_status(args: &StatusArgs) -> Result<u8> {
    let v = args.vault.open()?;
    let (_, today) = today()?;
    let (cal, update, delivery) = deadlines(&v, args.manifest.as_ref(), &args.calendar)?;
    let led = ledger::read(&v.ledger_path())?;
    if let Some((_, p)) = led.problems.first() {
        bail!("{}: {p}; run `escrow audit`", v.ledger_path().display());
    }
    if let Some(h) = &args.head {
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
    let s = status::status(&led.entries, &cal, update, delivery, today);
    let code = if s.overdue > 0 {
        EXIT_FAIL
    } else if s.unknown > 0 {
        EXIT_ERROR
    } else {
        EXIT_PASS
    };
    args.out.emit(&StatusDoc::new(&s))?;
    Ok(code)
}
