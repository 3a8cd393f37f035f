//! `[build]`: how a third party builds the delivery (criterion ② 可运行性). The raw table as
//! the TOML says it, and its validation into a [`BuildSpec`]; the manifest loader reads the
//! TOML and hands the table here.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::validate::Context;

/// The longest `timeout` accepted.
const MAX_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);
/// The default `timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60 * 60);
/// The default `max-processes`: processes and threads the build may run at once.
pub const DEFAULT_MAX_PROCESSES: u64 = 1024;
/// The default `max-memory`: the data size of any one process of the build.
pub const DEFAULT_MAX_MEMORY: u64 = 8 << 30;
/// The default `max-file-size`: the largest file any process of the build may write.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 4 << 30;
/// The default `max-disk`: what the build's copy and private folders may hold.
pub const DEFAULT_MAX_DISK: u64 = 32 << 30;

/// `[build]` as written: how a third party builds the delivery.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawBuild {
    /// `command`: run by `/bin/sh -c`.
    pub command: Spanned<String>,
    /// `workdir`: where it runs, relative to the delivery root.
    pub workdir: Option<Spanned<String>>,
    /// `timeout`: "90s", "30m", "2h", "1h30m".
    pub timeout: Option<Spanned<String>>,
    /// `network`: the build may use the network.
    #[serde(default)]
    pub network: bool,
    /// `outputs`: globs that must each match a file after the build.
    pub outputs: Option<SpannedStrings>,
    /// `toolchain`: commands whose output is recorded ("java -version").
    pub toolchain: Option<SpannedStrings>,
    /// `[build.env]`: variables of the build.
    #[serde(default)]
    pub env: BTreeMap<Spanned<String>, Spanned<String>>,
    /// `max-processes`: processes and threads at once.
    pub max_processes: Option<Spanned<i64>>,
    /// `max-memory`: the data size of any one process ("4GiB", or a number of bytes).
    pub max_memory: Option<Spanned<toml::Value>>,
    /// `max-file-size`: the largest file the build may write.
    pub max_file_size: Option<Spanned<toml::Value>>,
    /// `max-disk`: what the copy and private folders may hold.
    pub max_disk: Option<Spanned<toml::Value>>,
}

/// A list of strings with their spans.
type SpannedStrings = Spanned<Vec<Spanned<String>>>;

/// The validated `[build]` table.
#[derive(Debug, Clone)]
pub struct BuildSpec {
    /// Run by `/bin/sh -c`.
    pub command: String,
    /// Relative to the delivery root, `/`-separated, without `./`; empty for the root itself.
    pub workdir: String,
    /// The build is stopped, with every process it started, after this long.
    pub timeout: Duration,
    /// The build may use the network (reported).
    pub network: bool,
    /// Globs (relative to the delivery root) that must each match a file after the build.
    pub outputs: Vec<(String, globset::GlobMatcher)>,
    /// Commands whose exit status and first lines are recorded.
    pub toolchain: Vec<String>,
    /// The only variables passed besides PATH, HOME and LANG (which they may replace).
    pub env: BTreeMap<String, String>,
    /// Processes and threads the build may run at once.
    pub max_processes: u64,
    /// Bytes.
    pub max_memory: u64,
    /// Bytes: the largest file the build may write (its log included).
    pub max_file_size: u64,
    /// Bytes: the disk space the build's copy and private folders may use.
    pub max_disk: u64,
}

/// Parse "30m", "90s", "2h", "1h30m", "1d": a positive duration with a unit on every number.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    let mut num = String::new();
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        if c == ' ' {
            continue;
        }
        let mut unit = c.to_string();
        while let Some(&n) = chars.peek() {
            if n.is_ascii_alphabetic() {
                unit.push(n);
                chars.next();
            } else {
                break;
            }
        }
        let n: u64 = num.parse().ok()?;
        num.clear();
        let secs = match unit.as_str() {
            "s" | "sec" | "secs" => 1,
            "m" | "min" | "mins" => 60,
            "h" | "hour" | "hours" => 3600,
            "d" | "day" | "days" => 86_400,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(secs)?)?;
    }
    if !num.is_empty() || total == 0 {
        return None;
    }
    Some(Duration::from_secs(total))
}

pub use crate::validate::parse_size;

fn valid_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Validate `[build]`, recording every problem in `cx` (with the default in its place, so
/// that later problems are found too). Globs are case-insensitive unless `case_sensitive`.
pub fn validate(raw: &Spanned<RawBuild>, case_sensitive: bool, cx: &mut dyn Context) -> BuildSpec {
    let b = raw.get_ref();
    if b.command.get_ref().trim().is_empty() {
        cx.problem(
            b.command.span(),
            "[build] command is empty: write the command that builds the delivery, e.g. \"make all\"".to_owned(),
        );
    }
    let workdir = b
        .workdir
        .as_ref()
        .map(|w| workdir(w, cx))
        .unwrap_or_default();
    let timeout = b
        .timeout
        .as_ref()
        .map_or(DEFAULT_TIMEOUT, |t| timeout(t, cx));
    let mut outputs = Vec::new();
    if let Some(list) = &b.outputs {
        for p in list.get_ref() {
            if let Some(g) = cx.glob(p, case_sensitive) {
                outputs.push((p.get_ref().clone(), g.compile_matcher()));
            }
        }
    }
    let mut toolchain = Vec::new();
    if let Some(list) = &b.toolchain {
        for c in list.get_ref() {
            if c.get_ref().trim().is_empty() {
                cx.problem(
                    c.span(),
                    "[build] toolchain: an empty command; write one such as \"java -version\""
                        .to_owned(),
                );
            } else {
                toolchain.push(c.get_ref().clone());
            }
        }
    }
    let max_processes = match &b.max_processes {
        None => DEFAULT_MAX_PROCESSES,
        Some(n) if *n.get_ref() >= 8 => n.get_ref().unsigned_abs(),
        Some(n) => {
            cx.problem(
                n.span(),
                format!(
                    "[build] max-processes = {} is too small: give at least 8 (the build's shell and its tools count too)",
                    n.get_ref()
                ),
            );
            DEFAULT_MAX_PROCESSES
        }
    };
    BuildSpec {
        command: b.command.get_ref().clone(),
        workdir,
        timeout,
        network: b.network,
        outputs,
        toolchain,
        env: env(&b.env, cx),
        max_processes,
        max_memory: size(
            cx,
            "max-memory",
            b.max_memory.as_ref(),
            DEFAULT_MAX_MEMORY,
            16 << 20,
        ),
        max_file_size: size(
            cx,
            "max-file-size",
            b.max_file_size.as_ref(),
            DEFAULT_MAX_FILE_SIZE,
            1 << 20,
        ),
        max_disk: size(
            cx,
            "max-disk",
            b.max_disk.as_ref(),
            DEFAULT_MAX_DISK,
            1 << 20,
        ),
    }
}

/// `workdir`: relative to the delivery root, without `./` or a trailing `/`; "" for the root.
fn workdir(w: &Spanned<String>, cx: &mut dyn Context) -> String {
    let mut p = w.get_ref().trim();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    let p = p.trim_end_matches('/');
    if p.starts_with('/') || p.contains('\\') || p.split('/').any(|c| c == "..") {
        cx.problem(
            w.span(),
            format!(
                "[build] workdir {:?} must be a folder relative to the delivery root, with '/' between folders and no leading '/' or '..'",
                w.get_ref()
            ),
        );
        String::new()
    } else if p == "." {
        String::new()
    } else {
        p.to_owned()
    }
}

/// `timeout`: a duration of at most [`MAX_TIMEOUT`].
fn timeout(t: &Spanned<String>, cx: &mut dyn Context) -> Duration {
    match parse_duration(t.get_ref()) {
        Some(d) if d > MAX_TIMEOUT => {
            cx.problem(
                t.span(),
                format!(
                    "[build] timeout {:?} is longer than the limit of 7 days: a build that long is a hung build",
                    t.get_ref()
                ),
            );
            DEFAULT_TIMEOUT
        }
        Some(d) => d,
        None => {
            cx.problem(
                t.span(),
                format!(
                    "[build] timeout {:?} is not a duration: write it as \"90s\", \"30m\", \"2h\" or \"1h30m\"",
                    t.get_ref()
                ),
            );
            DEFAULT_TIMEOUT
        }
    }
}

/// `env`: variable names and values without NUL.
fn env(
    raw: &BTreeMap<Spanned<String>, Spanned<String>>,
    cx: &mut dyn Context,
) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for (k, v) in raw {
        if !valid_env_name(k.get_ref()) {
            cx.problem(
                k.span(),
                format!(
                    "[build] env: {:?} is not a variable name (letters, digits and '_', not starting with a digit)",
                    k.get_ref()
                ),
            );
        } else if v.get_ref().contains('\0') {
            cx.problem(
                v.span(),
                format!(
                    "[build] env: the value of {} contains a NUL byte",
                    k.get_ref()
                ),
            );
        } else {
            env.insert(k.get_ref().clone(), v.get_ref().clone());
        }
    }
    env
}

/// A size key (`max-memory`, `max-file-size`, `max-disk`) of at least `min` bytes (16MiB or
/// 1MiB, as its message says); `default` when absent or invalid.
fn size(
    cx: &mut dyn Context,
    key: &str,
    value: Option<&Spanned<toml::Value>>,
    default: u64,
    min: u64,
) -> u64 {
    let Some(m) = value else {
        return default;
    };
    match crate::validate::size_value(m.get_ref()) {
        Some(bytes) if bytes >= min => bytes,
        _ => {
            cx.problem(
                m.span(),
                format!(
                    "[build] {key}: {} is not a size of at least {}MiB: write a size with a unit, e.g. \"512MiB\" or \"4GiB\"",
                    crate::validate::written(m.get_ref()),
                    min >> 20
                ),
            );
            default
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("2 h"), Some(Duration::from_secs(7200)));
        for bad in ["", "30", "0s", "5x", "m", "1.5h"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn env_names() {
        assert!(valid_env_name("JAVA_HOME"));
        assert!(valid_env_name("_X1"));
        assert!(!valid_env_name("1X"));
        assert!(!valid_env_name("A-B"));
        assert!(!valid_env_name(""));
    }
}
