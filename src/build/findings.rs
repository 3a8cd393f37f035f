//! The findings a build produces: how it failed, what it tried to reach, which declared
//! outputs it did not make, whether a second build agreed, and how weakly it was isolated.

use super::sandbox::Sandbox;
use super::{
    BuildError, BuildSpec, BuildStatus, HASH_BUDGET, Isolation, OutputFile, Rebuild, RunResult,
    human_duration, millis, netlog,
};
use crate::delivery::Delivery;
use crate::finding::Finding;
use crate::hash::hex;

/// The findings of the first run: it could not run, failed or timed out; it needed the
/// network; its outputs are missing, delivered rather than made, or not hashed in time.
pub(super) fn first_run(
    first: &RunResult,
    spec: &BuildSpec,
    delivery: &Delivery,
) -> Result<Vec<Finding>, BuildError> {
    let mut findings = failed(first, spec);
    findings.extend(network(first, spec)?);
    findings.extend(outputs(first, delivery));
    Ok(findings)
}

/// The workdir is missing, or the build failed or timed out.
fn failed(first: &RunResult, spec: &BuildSpec) -> Vec<Finding> {
    let mut findings = Vec::new();
    let cmd = &spec.command;
    let log_shown = first.log_path.display().to_string();
    let duration = human_duration(first.duration);
    if first.workdir_missing {
        findings.push(Finding::of(
            crate::build::codes::BuildCode::BuildFailed,
            format!("the build's workdir {:?} is not a folder of the delivery, so `{cmd}` could not run", spec.workdir),
            format!("编译工作目录 {:?} 不是交付物中的目录，无法运行 `{cmd}`", spec.workdir),
        ).path(spec.workdir.clone()));
    }
    match first.status {
        BuildStatus::TimedOut => findings.push(
            Finding::of(
                crate::build::codes::BuildCode::BuildTimeout,
                format!(
                    "the build `{cmd}` did not finish within {}: it was stopped with every process it started; log: {log_shown}",
                    human_duration(spec.timeout)
                ),
                format!(
                    "编译命令 `{cmd}` 未在 {} 内完成：已终止编译及其启动的全部进程；日志：{log_shown}",
                    human_duration(spec.timeout)
                ),
            )
            .evidence(last(&first.log.tail, 10)),
        ),
        BuildStatus::Failed if !first.workdir_missing => {
            let how = match (&first.stopped, first.exit_code, first.signal) {
                (Some(why), _, _) => format!("was stopped by escrow: {why}"),
                (None, Some(c), _) => format!("exited with status {c}"),
                (None, None, Some(s)) => format!("was killed by signal {s}"),
                _ => "failed".to_owned(),
            };
            let how_zh = match (&first.stopped, first.exit_code, first.signal) {
                (Some(why), _, _) => format!("超出限制被 escrow 终止（{why}）"),
                (None, Some(c), _) => format!("以状态 {c} 退出"),
                (None, None, Some(s)) => format!("被信号 {s} 终止"),
                _ => "失败".to_owned(),
            };
            findings.push(
                Finding::of(
                    crate::build::codes::BuildCode::BuildFailed,
                    format!("the build `{cmd}` {how} after {duration}; log: {log_shown}"),
                    format!("编译命令 `{cmd}` {how_zh}（用时 {duration}）；日志：{log_shown}"),
                )
                .evidence(last(&first.log.tail, 10)),
            );
        }
        _ => {}
    }
    findings
}

/// The failed build tried to reach the network, which was closed to it.
fn network(first: &RunResult, spec: &BuildSpec) -> Result<Vec<Finding>, BuildError> {
    let mut findings = Vec::new();
    if first.status != BuildStatus::Succeeded && !first.workdir_missing {
        let lines =
            netlog::network_lines(&first.log_path, 12).map_err(|source| BuildError::Log {
                path: first.log_path.clone(),
                source,
            })?;
        if !lines.is_empty() && !spec.network {
            findings.push(
                Finding::of(
                    crate::build::codes::BuildCode::BuildNetworkRequired,
                    format!(
                        "the build tried to reach the network, which is closed to it ({} log line{} below): it needs something that was not delivered; vendor the dependencies",
                        lines.len(),
                        if lines.len() == 1 { "" } else { "s" }
                    ),
                    format!(
                        "编译尝试访问网络（隔离环境中网络不可用，见下方 {} 行日志）：编译依赖未随交付物提供的内容；应随源代码交付全部依赖",
                        lines.len()
                    ),
                )
                .evidence(lines),
            );
        }
    }
    Ok(findings)
}

/// Declared outputs that came with the delivery, matched nothing, or were not hashed in time.
fn outputs(first: &RunResult, delivery: &Delivery) -> Vec<Finding> {
    let mut findings = Vec::new();
    if first.status == BuildStatus::Succeeded {
        // An output whose content came with the delivery (where it was, or copied from
        // elsewhere in it) was not made by the build.
        let delivered: std::collections::HashSet<String> = delivery
            .inventory
            .files()
            .filter_map(|e| e.sha256.map(|h| hex(&h)))
            .collect();
        for o in &first.outputs {
            if o.size > 0 && delivered.contains(&o.sha256) {
                findings.push(
                    Finding::of(
                        crate::build::codes::BuildCode::BuildOutputMissing,
                        format!(
                            "{} is a file that came with the delivery (same SHA-256): the build did not make it",
                            o.path
                        ),
                        format!("{} 与交付物中已有文件完全相同（SHA-256 一致）：并非由编译生成", o.path),
                    )
                    .path(o.path.clone())
                    .evidence(vec![format!("sha256 {} before and after the build", o.sha256)]),
                );
            }
        }
        for glob in &first.missing {
            findings.push(
                Finding::of(
                    crate::build::codes::BuildCode::BuildOutputMissing,
                    format!("the build succeeded but no file matches the declared output {glob}"),
                    format!("编译成功，但没有文件与声明的编译产物 {glob} 匹配"),
                )
                .path(glob.clone()),
            );
        }
    }
    if !first.unhashed.is_empty() {
        findings.push(
            Finding::of(
                crate::build::codes::BuildCode::BuildOutputMissing,
                format!(
                    "{} declared output{} not hashed: hashing the outputs took longer than {}, so they are not recorded",
                    first.unhashed.len(),
                    if first.unhashed.len() == 1 { " was" } else { "s were" },
                    human_duration(HASH_BUDGET)
                ),
                format!(
                    "{} 个编译产物未计算哈希：计算时间超过 {}，未予记录",
                    first.unhashed.len(),
                    human_duration(HASH_BUDGET)
                ),
            )
            .evidence(first.unhashed.iter().take(20).cloned().collect()),
        );
    }
    findings
}

/// The second run of `--reproducible`, compared with the first; its findings go to `findings`.
pub(super) fn rebuild(first: &RunResult, s: RunResult, findings: &mut Vec<Finding>) -> Rebuild {
    let differing = compare(&first.outputs, &s.outputs);
    if first.status == BuildStatus::Succeeded && s.status != BuildStatus::Succeeded {
        findings.push(
            Finding::of(
                crate::build::codes::BuildCode::BuildNotReproducible,
                format!(
                    "the second build (in {}) did not succeed although the first did; log: {}",
                    s.build_path.display(),
                    s.log_path.display()
                ),
                format!(
                    "第二次编译（目录 {}）失败，而第一次成功；日志：{}",
                    s.build_path.display(),
                    s.log_path.display()
                ),
            )
            .evidence(last(&s.log.tail, 10)),
        );
    } else if first.status == BuildStatus::Succeeded {
        for (path, evidence) in &differing {
            findings.push(
                Finding::of(
                    crate::build::codes::BuildCode::BuildNotReproducible,
                    format!("{path} differs between two builds of the same source"),
                    format!("{path} 在同一源代码的两次编译中内容不同"),
                )
                .path(path.clone())
                .evidence(evidence.clone()),
            );
        }
    }
    Rebuild {
        build_path: s.build_path.display().to_string(),
        status: s.status,
        duration_ms: millis(s.duration),
        outputs: s.outputs,
        differing: differing.into_iter().map(|(p, _)| p).collect(),
        log: s.log,
    }
}

/// A weaker isolation than bubblewrap, and a build allowed the network; `detail` describes
/// the isolation.
pub(super) fn isolation(sandbox: &Sandbox, spec: &BuildSpec, detail: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    if sandbox.level != Isolation::Bwrap {
        findings.push(Finding::of(
            crate::build::codes::BuildCode::BuildSandboxWeak,
            format!(
                "the build ran with {} isolation: {detail}",
                sandbox.level.as_str()
            ),
            format!(
                "编译使用了 {} 隔离：{}",
                sandbox.level.as_str(),
                match sandbox.level {
                    Isolation::Landlock =>
                        "主机文件只读（Landlock），隔离网络和进程；主机 Unix 套接字未隐藏",
                    Isolation::Unshare => "仅隔离网络和进程，本机文件未受保护",
                    _ => "未隔离：编译与本机共享网络、进程和文件",
                }
            ),
        ));
    }
    if spec.network {
        findings.push(Finding::of(
            crate::build::codes::BuildCode::BuildNetworkAllowed,
            "the manifest lets the build use the network (network = true): a successful build does not show that every dependency was delivered",
            "清单允许编译访问网络（network = true）：编译成功不能证明全部依赖均已交付",
        ));
    }
    findings
}

/// The last `n` lines.
fn last(lines: &[String], n: usize) -> Vec<String> {
    lines[lines.len().saturating_sub(n)..].to_vec()
}

/// Files that differ between two runs' outputs, with evidence.
fn compare(a: &[OutputFile], b: &[OutputFile]) -> Vec<(String, Vec<String>)> {
    let mut paths: Vec<&str> = a.iter().chain(b).map(|o| o.path.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    let find = |list: &[OutputFile], p: &str| list.iter().find(|o| o.path == p).cloned();
    let mut out = Vec::new();
    for p in paths {
        let (x, y) = (find(a, p), find(b, p));
        let show = |o: &Option<OutputFile>| {
            o.as_ref().map_or("missing".to_owned(), |o| {
                format!("sha256 {} ({} bytes)", o.sha256, o.size)
            })
        };
        if x.as_ref().map(|o| &o.sha256) != y.as_ref().map(|o| &o.sha256) {
            out.push((
                p.to_owned(),
                vec![
                    format!("first build: {}", show(&x)),
                    format!("second build: {}", show(&y)),
                ],
            ));
        }
    }
    out
}
