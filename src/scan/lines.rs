//! The line-rule engine: runs the rules of `rules.toml` (and the manifest's `[[rule]]`) over a
//! text file. A keyword pre-filter finds the lines worth looking at; each rule's regex runs
//! only on lines holding one of its keywords. What a hit means (its text, whether it is counted
//! once per file, whether third-party code is exempt) is up to the detector of the rule's code
//! (`detect::line_code`).

use std::collections::HashSet;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Input, MatchKind};
use globset::Candidate;

use super::detect::{self, secrets};
use super::inspect::FileScan;
use super::rules::{self, LineRule};
use crate::finding::Finding;

/// Findings listed per rule and file; the rest are counted in the last one's evidence.
const PER_FILE_LIMIT: u64 = 50;
/// Evidence lines are cut to this many characters.
const EVIDENCE_CHARS: usize = 160;

/// The keyword pre-filter of a set of rules. Both automata run over a lower-cased copy of the
/// text: case-sensitive automata can use the SIMD prefilter that case-insensitive ones cannot.
pub(super) struct KeywordFilter {
    /// Leftmost-first: finds the next line worth looking at.
    any: AhoCorasick,
    /// Every keyword on that line.
    all: AhoCorasick,
    /// Keyword pattern index → rules it selects.
    rules: Vec<Vec<usize>>,
}

impl KeywordFilter {
    /// The filter of the rules for which `applies` is true.
    pub(super) fn new(rules: &[LineRule], applies: &[bool]) -> KeywordFilter {
        let mut words: Vec<&str> = Vec::new();
        let mut selects: Vec<Vec<usize>> = Vec::new();
        for (i, r) in rules.iter().enumerate().filter(|(i, _)| applies[*i]) {
            for k in &r.keywords {
                match words.iter().position(|w| w == k) {
                    Some(p) => selects[p].push(i),
                    None => {
                        words.push(k);
                        selects.push(vec![i]);
                    }
                }
            }
        }
        // A keyword containing another is redundant: the shorter one finds its lines too.
        // Fewer keywords keep the SIMD prefilter in use (it takes at most 64).
        let mut i = 0;
        while i < words.len() {
            if let Some(j) = (0..words.len()).find(|&j| j != i && words[i].contains(words[j])) {
                let moved = selects.remove(i);
                words.remove(i);
                let j = if j > i { j - 1 } else { j };
                for r in moved {
                    if !selects[j].contains(&r) {
                        selects[j].push(r);
                    }
                }
            } else {
                i += 1;
            }
        }
        let build = |kind| {
            AhoCorasickBuilder::new()
                .match_kind(kind)
                .build(&words)
                .expect("keywords are plain strings")
        };
        KeywordFilter {
            any: build(MatchKind::LeftmostFirst),
            all: build(MatchKind::Standard),
            rules: selects,
        }
    }
}

/// One file's line-rule hits so far, per rule.
struct Tally {
    /// Rules reported once per file: matching lines, and the first one's finding.
    counts: Vec<(u32, Option<Finding>)>,
    findings: Vec<Finding>,
    /// (line, fingerprint) of each secret reported.
    secrets: HashSet<(u64, String)>,
    /// Findings per rule, for the cap.
    per_rule: Vec<u64>,
}

impl Tally {
    fn new(rules: usize) -> Tally {
        Tally {
            counts: vec![(0, None); rules],
            findings: Vec::new(),
            secrets: HashSet::new(),
            per_rule: vec![0; rules],
        }
    }

    /// Whether rule `ri` has reached its cap in this file (then the hit is only counted).
    fn capped(&mut self, ri: usize, once: bool) -> bool {
        if !once && self.per_rule[ri] >= PER_FILE_LIMIT {
            self.per_rule[ri] += 1;
            return true;
        }
        false
    }

    /// Record a hit of rule `ri`: its finding, and its secret's fingerprint when it has one.
    fn record(
        &mut self,
        ri: usize,
        once: bool,
        line_no: u64,
        f: Finding,
        fingerprint: Option<String>,
    ) {
        if let Some(fp) = fingerprint {
            // One secret matched by two rules (a token inside a URL): keep the first
            // rule's finding (rules are in order, the specific ones first).
            if !self.secrets.insert((line_no, fp)) {
                return;
            }
            self.per_rule[ri] += 1;
            self.findings.push(f);
        } else if once {
            let c = &mut self.counts[ri];
            c.0 += 1;
            if c.1.is_none() {
                c.1 = Some(f);
            }
        } else {
            self.per_rule[ri] += 1;
            self.findings.push(f);
        }
    }

    /// The findings, with the counts of what was not listed.
    fn into_findings(self, rules: &[LineRule]) -> Vec<Finding> {
        let Tally {
            counts,
            mut findings,
            per_rule,
            ..
        } = self;
        for (ri, n) in per_rule.iter().enumerate() {
            if *n > PER_FILE_LIMIT
                && let Some(last) = findings
                    .iter_mut()
                    .rev()
                    .find(|f| f.rule.as_deref() == Some(rules[ri].id.as_str()))
            {
                last.evidence.push(format!(
                    "{} more matching lines in this file are not listed (at most {PER_FILE_LIMIT} per rule and file)",
                    n - PER_FILE_LIMIT
                ));
            }
        }
        for (ri, (n, f)) in counts.into_iter().enumerate() {
            if let Some(mut f) = f
                && n >= rules[ri].min_count
            {
                if rules[ri].min_count > 1 {
                    f.evidence.push(format!(
                        "{n} matching lines (this rule reports a file from {})",
                        rules[ri].min_count
                    ));
                } else if n > 1 {
                    f.evidence
                        .push(format!("{n} matching lines; the first is shown"));
                }
                findings.push(f);
            }
        }
        findings
    }
}

impl FileScan<'_> {
    /// Which rules apply to this file at all (by path, and third-party code is exempt from
    /// some codes); `None` when none does.
    fn applicable_rules(&self, third_party: bool, text: &[u8]) -> Option<Vec<bool>> {
        let path_str = String::from_utf8_lossy(&self.named);
        let cand_path = std::path::Path::new(path_str.as_ref());
        let cand = Candidate::new(cand_path);
        // A file whose content shows its language (Java saved as .txt, a backup .java.bak):
        // that language's rules apply too.
        let also = super::sniff::rule_path(&self.named, &self.ext, text)
            .map(|p| String::from_utf8_lossy(&p).into_owned());
        let also = also
            .as_deref()
            .map(|p| Candidate::new(std::path::Path::new(p)));
        let catalogue = secrets::is_translation_catalogue(&self.named);
        // Which rules' `paths` the file matches: one search of every rule's globs.
        let s = self.scanner;
        let mut in_paths = vec![false; s.rules.len()];
        for c in std::iter::once(&cand).chain(also.as_ref()) {
            for g in s.rule_paths.matches_candidate(c) {
                in_paths[s.glob_rule[g]] = true;
            }
        }
        let applies: Vec<bool> = s
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                if third_party && detect::line_code(r.code).skip_third_party {
                    return false;
                }
                // Connection URLs and strings are never translations.
                if catalogue
                    && r.kind != rules::SecretKind::Token
                    && !matches!(
                        r.id.as_str(),
                        "url-password" | "connection-string-password" | "jdbc-oracle-password"
                    )
                {
                    return false;
                }
                r.paths.is_none() || in_paths[i]
            })
            .collect();
        applies.iter().any(|a| *a).then_some(applies)
    }

    /// Run the line rules over a text file's content, `text`: its body decoded
    /// (`sniff::decode`: UTF-16, UTF-32, UTF-7 and GB18030/GBK become UTF-8, so that patterns
    /// and Chinese keywords match).
    pub(super) fn line_rules(&self, third_party: bool, text: &[u8]) -> Vec<Finding> {
        let s = self.scanner;
        let Some(applies) = self.applicable_rules(third_party, text) else {
            return Vec::new();
        };
        // A `.properties` file is judged as Java reads it: escapes decoded, continued lines
        // joined, any separator written `=`.
        let properties;
        let text: &[u8] = if self.ext == "properties" {
            properties = secrets::decode_properties(text);
            &properties
        } else {
            text
        };
        let class = secrets::FileClass::of(&self.ext);
        let filter = {
            let mut filters = s.filters.lock().expect("scan filters");
            Arc::clone(
                filters
                    .entry(applies.clone())
                    .or_insert_with(|| Arc::new(KeywordFilter::new(&s.rules, &applies))),
            )
        };
        let mut tally = Tally::new(s.rules.len());
        let mut line_no = 1u64;
        let mut counted_to = 0usize;
        let mut todo: Vec<usize> = Vec::new();
        let mut from = 0usize;
        let mut current: Option<(usize, usize)> = None;
        let lower = text.to_ascii_lowercase();
        // Find the next line holding any keyword (a fast, prefiltered search); then list every
        // keyword on that line and run the rules they select.
        while from < text.len() {
            let Some(m) = filter.any.find(Input::new(lower.as_slice()).range(from..)) else {
                break;
            };
            let pos = m.start();
            // The line holding the keyword: the same as the last one's while inside it (a long
            // minified line has many keywords; finding its ends again for each would take
            // quadratic time).
            let (start, end) = match current {
                Some((s, e)) if pos >= s && pos < e => (s, e),
                _ => {
                    let start = memchr::memrchr(b'\n', &text[..pos]).map_or(0, |i| i + 1);
                    let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i);
                    // A line ended by CR LF (files made on Windows) is the same line without
                    // its CR.
                    let end = if end > pos && text[end - 1] == b'\r' {
                        end - 1
                    } else {
                        end
                    };
                    current = Some((start, end));
                    (start, end)
                }
            };
            // Very long lines (minified code): look only around the keyword.
            let (ws, we) = window(start, end, pos);
            from = we.max(pos + 1);
            let line = &text[ws..we];
            todo.clear();
            for k in filter.all.find_overlapping_iter(&lower[ws..we]) {
                for &ri in &filter.rules[k.pattern().as_usize()] {
                    if !todo.contains(&ri) {
                        todo.push(ri);
                    }
                }
            }
            todo.sort_unstable();
            let mut line_known = false;
            for &ri in &todo {
                let rule = &s.rules[ri];
                let Some(hit) = match_rule(rule, line, class) else {
                    continue;
                };
                if !line_known {
                    line_no += memchr::memchr_iter(b'\n', &text[counted_to..start]).count() as u64;
                    counted_to = start;
                    line_known = true;
                }
                let once = rule.min_count > 1 || detect::line_code(rule.code).once_per_file;
                if tally.capped(ri, once) {
                    continue;
                }
                // A window of a longer line: its ends may fall inside a secret, so only the
                // match itself is shown.
                let cut = (ws > start || we < end).then_some(end - start);
                let (f, fingerprint) = self.rule_finding(rule, line, &hit, line_no, cut);
                tally.record(ri, once, line_no, f, fingerprint);
            }
        }
        let mut findings = tally.into_findings(&s.rules);
        // A line an encoder rule reports (`eval(gzinflate(…))`, a deny) is not listed again as
        // dynamic code to review.
        let encoded: Vec<Option<u64>> = findings
            .iter()
            .filter(|f| f.code == "source-encoded")
            .map(|f| f.line)
            .collect();
        findings.retain(|f| {
            !(f.code == "backdoor-suspect"
                && f.rule
                    .as_deref()
                    .is_some_and(|r| r.starts_with("dynamic-code-"))
                && encoded.contains(&f.line))
        });
        findings
    }

    /// The finding for a rule's match, and the secret's fingerprint when it has one.
    fn rule_finding(
        &self,
        rule: &LineRule,
        line: &[u8],
        hit: &LineMatch,
        line_no: u64,
        cut: Option<usize>,
    ) -> (Finding, Option<String>) {
        let s = self.scanner;
        let (en, zh) = if hit.weak {
            (detect::line_code(rule.code).text)(
                &format!("{}, a weak password", rule.description),
                &format!("{}（弱口令）", rule.description_zh),
            )
        } else {
            (detect::line_code(rule.code).text)(&rule.description, &rule.description_zh)
        };
        let mut fingerprint = None;
        // Every evidence line is redacted whole before it is cut short: the secret found, any
        // other credential on the line, and string literals that look like passwords.
        let evidence = match (hit.secret, cut) {
            (Some((a, b)), None) => {
                let fp = secrets::fingerprint(&line[a..b]);
                fingerprint = Some(fp);
                // The key name before the secret is shown; nothing after it.
                let redacted = secrets::redact(s, line, Some((a, b)));
                trim_evidence(redacted.as_bytes(), true)
            }
            (Some((a, b)), Some(len)) => {
                let secret = &line[a..b];
                let fp = secrets::fingerprint(secret);
                let ev = format!(
                    "[redacted: {} characters, fingerprint sha256:{fp}] (in a line of {len} characters, not shown)",
                    secrets::chars(secret)
                );
                fingerprint = Some(fp);
                ev
            }
            (None, None) => trim_evidence(secrets::redact(s, line, None).as_bytes(), false),
            (None, Some(len)) => format!(
                "{} (part of a line of {len} characters)",
                trim_evidence(
                    secrets::redact(s, &line[hit.span.0..hit.span.1], None).as_bytes(),
                    false
                )
            ),
        };
        let mut evidence = vec![evidence];
        if hit.weak
            && let (Some((a, b)), Some(fp)) = (hit.secret, fingerprint.take())
        {
            // A weak password's length and hash would let anyone holding the report look it
            // up in a list of common passwords: neither is shown, nor kept as its fingerprint.
            let shown = format!(
                "[redacted: {} characters, fingerprint sha256:{fp}]",
                secrets::chars(&line[a..b])
            );
            evidence[0] = evidence[0].replace(&shown, "[redacted: a weak password]");
            if evidence[0].contains(&fp) {
                "[redacted: a weak password]".clone_into(&mut evidence[0]);
            }
        }
        if hit.weak {
            evidence.push(
                "weak password (弱口令): a common or easily guessed value; change it before go-live"
                    .to_owned(),
            );
        }
        let mut f = Finding::of(rule.finding_code, en, zh)
            .path(self.display())
            .line(Some(line_no))
            .rule(&rule.id)
            .evidence(evidence);
        if let Some(sev) = rule.severity {
            f.severity = sev;
        }
        f.fingerprint.clone_from(&fingerprint);
        (f, fingerprint)
    }
}

/// A rule's match on a line: its byte range, and the secret's, if the rule has one.
struct LineMatch {
    span: (usize, usize),
    secret: Option<(usize, usize)>,
    /// The secret is a weak password.
    weak: bool,
}

fn match_rule(rule: &LineRule, line: &[u8], class: secrets::FileClass) -> Option<LineMatch> {
    let Some(unless) = &rule.unless else {
        return match_rule_regex(rule, line, class);
    };
    if !rule.unless_code_only {
        let m = match_rule_regex(rule, line, class)?;
        return (!unless.is_match(line)).then_some(m);
    }
    // A rule with exceptions judges the code before a trailing comment: a comment must not
    // hide the code in front of it (`eval(atob(p)); // no eval( here`, `exit(0); // holiday`).
    let code = code_part(line);
    let m = match_rule_regex(rule, code, class)?;
    if unless.is_match(code) {
        return None;
    }
    Some(m)
}

/// A line without its trailing comment: cut at `//`, `/*` or `#` that starts the line or
/// follows a blank, `;`, `)`, `{` or `}` (so `http://`, `"#fff"` and `a//b` in a string stay).
fn code_part(line: &[u8]) -> &[u8] {
    let starts_comment = |i: usize| {
        let next = line.get(i + 1).copied();
        match line[i] {
            b'/' => matches!(next, Some(b'/' | b'*')),
            b'#' => true,
            _ => false,
        }
    };
    for i in 0..line.len() {
        if starts_comment(i)
            && (i == 0 || matches!(line[i - 1], b' ' | b'\t' | b';' | b')' | b'{' | b'}'))
        {
            return &line[..i];
        }
    }
    line
}

fn match_rule_regex(rule: &LineRule, line: &[u8], class: secrets::FileClass) -> Option<LineMatch> {
    if rule.secret_group == 0 {
        return rule.regex.find(line).map(|m| LineMatch {
            span: (m.start(), m.end()),
            secret: None,
            weak: false,
        });
    }
    for caps in rule.regex.captures_iter(line) {
        let whole = caps.get(0).map_or((0, 0), |m| (m.start(), m.end()));
        let Some(m) = (rule.secret_group..caps.len())
            .filter_map(|g| caps.get(g))
            .find(|m| !m.is_empty())
            .or_else(|| caps.get(rule.secret_group))
        else {
            continue;
        };
        if m.is_empty() {
            // A marker with nothing secret on this line (a private key's first line).
            return Some(LineMatch {
                span: whole,
                secret: None,
                weak: false,
            });
        }
        let key = caps.name("key").map(|k| k.as_bytes());
        let Some(weak) = secrets::judge(rule.kind, class, key, m.as_bytes(), rule.entropy) else {
            continue;
        };
        return Some(LineMatch {
            span: whole,
            secret: Some((m.start(), m.end())),
            weak,
        });
    }
    None
}

/// The part of a long line around a keyword at `pos` that a rule looks at.
fn window(start: usize, end: usize, pos: usize) -> (usize, usize) {
    const W: usize = 2048;
    let ws = if pos - start > W { pos - W } else { start };
    let we = if end - pos > W { pos + W } else { end };
    (ws, we)
}

/// A line (or its part) as evidence: trimmed, control characters dropped, cut short.
fn trim_evidence(line: &[u8], keep_end: bool) -> String {
    let s = String::from_utf8_lossy(line);
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let s = if keep_end { s.trim_start() } else { s.trim() };
    let n = s.chars().count();
    if n <= EVIDENCE_CHARS {
        return s.to_owned();
    }
    if keep_end {
        let skip = n - EVIDENCE_CHARS;
        format!("…{}", s.chars().skip(skip).collect::<String>())
    } else {
        format!("{}…", s.chars().take(EVIDENCE_CHARS).collect::<String>())
    }
}
