//! Benchmark helper for `bench/render.sh`: reads a check report (`escrow check --format
//! json`) and times every renderer on it, in this process, best of RUNS.
//!
//! Usage: `render_bench REPORT.json RUNS` prints one line per format:
//! `FORMAT BEST_MS BYTES` (human, json, md, html, docx, sarif, letter-docx).
#![allow(clippy::print_stdout)]

use std::time::Instant;

use escrow::report::check_page::{Reply, letter_page};
use escrow::report::{HumanStyle, Lang, OutputFormat, Report, render, render_page};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(runs)) = (args.next(), args.next()) else {
        eprintln!("usage: render_bench REPORT.json RUNS");
        std::process::exit(2);
    };
    let runs: usize = runs.parse().expect("RUNS is a whole number");
    let text = std::fs::read(&path).expect("the report can be read");
    let report: Report = serde_json::from_slice(&text).expect("a check report");
    let style = HumanStyle {
        lang: Lang::Zh,
        color: false,
    };
    let formats = [
        ("human", OutputFormat::Human),
        ("json", OutputFormat::Json),
        ("md", OutputFormat::Markdown),
        ("html", OutputFormat::Html),
        ("docx", OutputFormat::Docx),
        ("sarif", OutputFormat::Sarif),
    ];
    for (name, format) in formats {
        let (ms, bytes) = best(runs, || {
            let mut out = Vec::new();
            render(&report, format, style, &mut out).expect("renders");
            out.len()
        });
        println!("{name} {ms:.1} {bytes}");
    }
    let reply = Reply {
        from: "2026-09-29".to_owned(),
        due: "2026-10-09".to_owned(),
        deadline: "3 working days".to_owned(),
        provisional: false,
    };
    let (ms, bytes) = best(runs, || {
        let safe = escrow::report::terminal_safe(&report).expect("copies");
        let page = letter_page(&safe, Lang::Zh, &reply);
        let mut out = Vec::new();
        render_page(&page, OutputFormat::Docx, &mut out).expect("renders");
        out.len()
    });
    println!("letter-docx {ms:.1} {bytes}");
}

/// The best wall time of `runs` calls, in milliseconds, and the output size of the last.
fn best(runs: usize, mut f: impl FnMut() -> usize) -> (f64, usize) {
    let mut best = f64::INFINITY;
    let mut bytes = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        bytes = f();
        best = best.min(t.elapsed().as_secs_f64() * 1000.0);
    }
    (best, bytes)
}
