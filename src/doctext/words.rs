//! Word counts (字数) and template phrases.

/// How many words `text` has, as Word and WPS count them for Chinese text (字数): each CJK
/// character (ideograph, kana, hangul, full-width punctuation excluded) is one word, and each
/// run of other letters and digits is one. Punctuation, symbols and spaces count nothing.
pub fn word_count(text: &str) -> u64 {
    let mut words = 0u64;
    let mut in_run = false;
    for c in text.chars() {
        if is_cjk(c) {
            words += 1;
            in_run = false;
        } else if c.is_alphanumeric() {
            if !in_run {
                words += 1;
            }
            in_run = true;
        } else {
            in_run = false;
        }
    }
    words
}

/// A character that counts as one word by itself: CJK ideographs (the unified blocks and their
/// extensions, compatibility ideographs), hiragana, katakana and hangul syllables/jamo.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // hiragana, katakana
        | 0x31F0..=0x31FF    // katakana phonetic extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0x1100..=0x11FF    // hangul jamo
        | 0x3130..=0x318F    // hangul compatibility jamo
        | 0xAC00..=0xD7AF    // hangul syllables
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0xFF66..=0xFF9D    // half-width katakana
        | 0x20000..=0x3134F  // CJK extensions B–G, compatibility supplement
    )
}

/// The template and placeholder phrases [`template_phrases`] looks for, matched without regard
/// to ASCII letter case. Chosen from the placeholders of the Chinese government and hospital
/// document templates (GB/T 8567 style outlines: 待补充, 此处填写 …), Word's content-control
/// prompts ("Click here to enter text", 单击此处输入文字) and the English conventions (TBD,
/// TODO, lorem ipsum). "TBD" and "TODO" count only as whole words; "略" is handled apart (see
/// [`template_phrases`]).
pub const TEMPLATE_PHRASES: &[&str] = &[
    "待补充",
    "待完善",
    "待定",
    "待填写",
    "此处填写",
    "请填写",
    "在此输入",
    "在此处输入",
    "单击此处输入文字",
    "点击此处输入文字",
    "示例文字",
    "此处为示例",
    "XXX系统",
    "lorem ipsum",
    "Click here to enter text",
    "Click or tap here to enter text",
    "Insert text here",
    "TBD",
    "TODO",
    "略",
];

/// Template and placeholder phrases in `text` (see [`TEMPLATE_PHRASES`]): each phrase found
/// with how often, in the order of the phrase list.
///
/// "TBD" and "TODO" count only where no ASCII letter or digit touches them ("TODOS" is not
/// one). "略" alone is part of many real words (策略, 省略, 概略), so it counts only where it
/// stands alone: in brackets ("（略）", "(略)", "【略】", "[略]") or as the whole of a line
/// (spaces and a trailing full stop aside).
pub fn template_phrases(text: &str) -> Vec<(&'static str, u64)> {
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    for &phrase in TEMPLATE_PHRASES {
        let n = if phrase == "略" {
            count_lue(text)
        } else {
            let needle = phrase.to_ascii_lowercase();
            let whole_word = phrase == "TBD" || phrase == "TODO";
            lower
                .match_indices(&needle)
                .filter(|&(at, m)| !whole_word || standalone_ascii(lower.as_bytes(), at, m.len()))
                .count() as u64
        };
        if n > 0 {
            found.push((phrase, n));
        }
    }
    found
}

fn standalone_ascii(s: &[u8], at: usize, len: usize) -> bool {
    let before = at.checked_sub(1).and_then(|i| s.get(i));
    let after = s.get(at + len);
    !before.is_some_and(u8::is_ascii_alphanumeric) && !after.is_some_and(u8::is_ascii_alphanumeric)
}

/// "略" in brackets, or a line that is only "略".
fn count_lue(text: &str) -> u64 {
    let bracketed = ["（略）", "(略)", "【略】", "[略]", "〔略〕"]
        .iter()
        .map(|p| text.matches(p).count() as u64)
        .sum::<u64>();
    let lines = text
        .lines()
        .filter(|l| {
            let t = l.trim().trim_end_matches(['。', '.']);
            t == "略"
        })
        .count() as u64;
    bracketed + lines
}
