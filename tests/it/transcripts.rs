//! Transcripts of every command's human output, in English and Chinese: exit code, stdout and
//! stderr, snapshotted with insta (tests/it/snapshots/). Temporary paths, the repository's path,
//! hashes and ids are filtered; the clock is fixed (`ESCROW_NOW`), so times are shown as a user
//! sees them, in China Standard Time. A missing or different snapshot fails the test (with
//! `CI=true` nothing is written; otherwise insta writes a `.snap.new` beside it to review with
//! `cargo insta review`).

use crate::common::{Run, chaoyang, escrow, repo, sample};
use crate::scene::{Scene, path};

/// Insta settings: the snapshot folder and the filters for paths, hashes and ids.
fn settings(scene: Option<&Scene>) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    if let Some(scene) = scene {
        let tmp = scene.tmp.path().to_str().unwrap().to_owned();
        s.add_filter(&regex_escape(&tmp), "[TMP]");
    }
    s.add_filter(&regex_escape(repo().to_str().unwrap()), "[REPO]");
    s.add_filter(r"\b[0-9a-f]{64}\b", "[HASH]");
    s.add_filter(r"\b[0-9a-f]{12,16}\b", "[ID]");
    // How many packs a deposit writes depends on how its threads share the work.
    s.add_filter(r"\d+ packs", "[N] packs");
    s.add_filter(r"数据包 \d+ 个", "数据包 [N] 个");
    s
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '_' || c == '-' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

/// What a user sees: the exit code, then stdout and stderr.
fn transcript(r: &Run) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        r.code, r.stdout, r.stderr
    )
}

/// Every command on one vault, in `lang`, each run snapshotted as `<lang>_<step>_<command>`.
fn every_command(lang: &str) {
    let s = Scene::new();
    let l = ["--lang", lang];
    let mut steps: Vec<(&str, Run)> = vec![("init", s.run(&["init"], &l))];
    steps.push(("deposit", s.deposit_v1(&l)));
    steps.push(("deposit-with-diff", s.deposit_v2(&l)));
    steps.push(("list", s.run(&["list"], &l)));
    steps.push(("show", s.run(&["show", "v2"], &l)));
    steps.push(("diff", s.run(&["diff", "v1", "v2"], &l)));
    let target = s.restore_target("restored");
    steps.push(("restore", s.run(&["restore", "v1", path(&target)], &l)));
    steps.push((
        "golive",
        s.run(&["golive", "门诊预约改版", "--date", "2026-03-09"], &l),
    ));
    steps.push(("payment", s.run(&["payment", "--date", "2026-03-10"], &l)));
    steps.push(("status", s.run(&["status"], &l)));
    steps.push(("audit", s.run(&["audit"], &l)));
    steps.push(("audit-quiet", s.run(&["audit", "-q"], &l)));
    steps.push((
        "deadline",
        escrow([
            "deadline",
            "--from",
            "2026-09-30",
            "--working-days",
            "10",
            "--lang",
            lang,
        ]),
    ));
    steps.push((
        "check",
        escrow([
            "check",
            path(&sample()),
            "-m",
            path(&chaoyang()),
            "--lang",
            lang,
        ]),
    ));
    settings(Some(&s)).bind(|| {
        for (i, (name, run)) in steps.iter().enumerate() {
            insta::assert_snapshot!(format!("{lang}_{i:02}_{name}"), transcript(run));
        }
    });
}

#[test]
fn every_command_in_english() {
    every_command("en");
}

#[test]
fn every_command_in_chinese() {
    every_command("zh");
}

/// `--lang auto` follows LANG, as the check report always did.
#[test]
fn auto_language_follows_lang() {
    let mut cmd = crate::common::escrow_command();
    cmd.env("LANG", "zh_CN.UTF-8")
        .args(["deadline", "--from", "2026-09-30", "--days", "3"]);
    let r = crate::common::run(cmd);
    assert_eq!(r.stdout, "2026-10-08\n", "{}", r.stderr);
    let s = Scene::new();
    let mut cmd = crate::common::escrow_command();
    cmd.env("LANG", "zh_CN.UTF-8")
        .args(["init", "--vault", path(&s.vault)]);
    let r = crate::common::run(cmd);
    settings(Some(&s)).bind(|| {
        insta::assert_snapshot!("auto_zh_init", transcript(&r));
    });
}
