//! Keeping the API token out of every text the connector hands back.

use std::borrow::Cow;

use crate::json_writer::quoted;
use crate::value::Value;

/// What a secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// `text` with every occurrence of `secret` replaced by `[REDACTED]` (borrowed when there is none),
/// also where only `text` written as JSON would spell it (see [`spells`]).
pub fn redact<'t>(text: &'t str, secret: &str) -> Cow<'t, str> {
    let clean = replace_each(text, secret, |_, at| at);
    if !is_escaped_in_json(&clean) {
        return clean;
    }
    let written = quoted(&clean);
    if !contains(&written, secret) {
        return clean;
    }
    // Rare: redacted as the JSON text that spells it (from the escape the secret starts in), and
    // read back; whole when that cannot be read.
    let read = match crate::json::parse_value(&redact_json_text(written, secret)) {
        Ok(Value::String(read)) if !spells(&read, secret) => read,
        _ => REDACTED.to_owned(),
    };
    Cow::Owned(read)
}

/// Whether `text` holds `secret`, or spells it once written as a JSON string, as every output is
/// on its way to JS and in a host's `JSON.stringify`: a tab and the tail of a secret that starts
/// with `t` are written `\t` and that tail. (A secret holding `"` could also be spelled across two
/// strings; tokens never do.)
pub fn spells(text: &str, secret: &str) -> bool {
    contains(text, secret) || (is_escaped_in_json(text) && contains(&quoted(text), secret))
}

/// Whether JSON writes `text` with an escape (a control character, a quote or a backslash).
fn is_escaped_in_json(text: &str) -> bool {
    text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\')
}

/// `text` with every occurrence of `secret` replaced by `[REDACTED]` from where `start_of` says the
/// replacement starts (the occurrence's own start, or a JSON escape holding it).
fn replace_each<'t>(
    text: &'t str,
    secret: &str,
    start_of: fn(&[u8], usize) -> usize,
) -> Cow<'t, str> {
    if secret.is_empty() {
        return Cow::Borrowed(text);
    }
    let Some(first) = find(text, secret, 0) else {
        return Cow::Borrowed(text);
    };
    // By hand rather than `str::replace`: its Two-Way searcher is ~2 KB of .wasm on every first call.
    let mut clean = String::with_capacity(text.len());
    let mut copied = 0;
    let mut next = Some(first);
    while let Some(at) = next {
        let start = start_of(text.as_bytes(), at).max(copied);
        clean.push_str(text.get(copied..start).unwrap_or_default());
        clean.push_str(REDACTED);
        copied = at + secret.len();
        next = find(text, secret, copied);
    }
    clean.push_str(text.get(copied..).unwrap_or_default());
    Cow::Owned(clean)
}

/// Redacts `secret` from an owned string in place, allocating only when it occurs.
pub fn redact_owned(text: String, secret: &str) -> String {
    match redact(&text, secret) {
        Cow::Borrowed(_) => text,
        Cow::Owned(clean) => clean,
    }
}

/// Whether any string or member name of `value` holds or spells `secret` (see [`spells`]).
pub fn value_contains(value: &Value, secret: &str) -> bool {
    match value {
        Value::String(text) => spells(text, secret),
        Value::Array(items) => items.iter().any(|v| value_contains(v, secret)),
        Value::Object(members) => members
            .iter()
            .any(|(name, v)| spells(name, secret) || value_contains(v, secret)),
        _ => false,
    }
}

/// Redacts `secret` from every string and member name of `value`, in place: string by string, so
/// that no JSON escape is cut in two as a redaction of the written text could.
pub fn redact_value(value: &mut Value, secret: &str) {
    let scrub = |text: &mut String| {
        if spells(text, secret) {
            *text = redact_owned(std::mem::take(text), secret);
        }
    };
    match value {
        Value::String(text) => scrub(text),
        Value::Array(items) => items.iter_mut().for_each(|v| redact_value(v, secret)),
        Value::Object(members) => {
            for (name, v) in members.members_mut() {
                scrub(name);
                redact_value(v, secret);
            }
        }
        _ => {}
    }
}

/// A JSON text (a response body handed back as `rawResponse`) with `secret` kept out of every string
/// a JSON parser reads from it: where the text spells it out, replaced as text (as [`redact_owned`]);
/// where only escapes could spell it (`\u0074` for `t`), decoded, and written anew when a string holds it.
pub fn redact_json_text(text: String, secret: &str) -> String {
    redact_read_json_text(text, secret, false).0
}

/// [`redact_json_text`] for a text its reader found `escape_free` (no escape, so no backslash: one
/// pass fewer over a big page), and whether anything was redacted.
pub fn redact_read_json_text(text: String, secret: &str, escape_free: bool) -> (String, bool) {
    // A secret with a backslash or a quote never stands in JSON text as it is; one without can
    // start inside an escape (`\nabc` for "nabc"), which is then replaced with it, or a backslash
    // left before `[REDACTED]` would make the text unreadable.
    let start_of = if secret.bytes().any(|b| b == b'\\' || b == b'"') {
        |_: &[u8], at| at
    } else {
        escape_start
    };
    let (text, replaced) = match replace_each(&text, secret, start_of) {
        Cow::Borrowed(_) => (text, false),
        Cow::Owned(clean) => (clean, true),
    };
    // A body without a backslash (most) is done here, without calling, so without compiling (V8
    // compiles a wasm function when it is first called), the escape scan below. (`[REDACTED]`
    // holds no backslash: a text free of them before the replacements is free of them after.)
    if escape_free
        || find_byte(text.as_bytes(), b'\\').is_none()
        || !may_hide_in_escapes(&text, secret)
    {
        return (text, replaced);
    }
    // Rare: each string holding escapes is decoded, and written anew only when it holds the secret,
    // so that the rest stays the very text received. String by string rather than as a tree: a
    // number beyond f64 (`1e400`, which JSON.parse reads as Infinity) would make a tree unreadable,
    // and the text was then handed back with the secret still spelled in escapes.
    match redact_escaped_strings(text, secret) {
        Ok(rewritten) => (rewritten, true),
        Err(unchanged) => (unchanged, replaced),
    }
}

/// `text`, a JSON text, with every string literal that holds an escape and whose value holds
/// `secret` written anew with it redacted; a literal that cannot be decoded (a lone surrogate, which
/// JSON.parse keeps) is replaced whole when its escapes could spell the secret. `Err(text)` when
/// no literal was.
#[inline(never)]
fn redact_escaped_strings(text: String, secret: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut clean = String::new();
    let mut copied = 0;
    let mut at = 0;
    // Outside a string a quote can only open one (the text was read as JSON): string to string.
    'strings: while let Some(quote) = bytes.get(at..).and_then(|rest| find_byte(rest, b'"')) {
        let start = at + quote;
        let mut end = start + 1;
        let mut escaped = false;
        loop {
            match bytes.get(end) {
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    end += 2;
                }
                Some(_) => end += 1,
                // Unterminated (not JSON, which a body read as JSON never is): what was rewritten stays.
                None => break 'strings,
            }
        }
        end += 1;
        if escaped {
            let literal = text.get(start..end).unwrap_or_default();
            let rewritten = match crate::json::Reader::new(literal, 1).string() {
                Ok(value) if spells(&value, secret) => {
                    Some(crate::json_writer::quoted(&redact(&value, secret)))
                }
                Ok(_) => None,
                // Undecodable here, readable to JSON.parse: when its escapes could spell the secret, it
                // goes whole.
                Err(_) if may_hide_in_escapes(literal, secret) => {
                    Some(crate::json_writer::quoted(REDACTED))
                }
                Err(_) => None,
            };
            if let Some(rewritten) = rewritten {
                clean.push_str(text.get(copied..start).unwrap_or_default());
                clean.push_str(&rewritten);
                copied = end;
            }
        }
        at = end;
    }
    if copied == 0 {
        return Err(text);
    }
    clean.push_str(text.get(copied..).unwrap_or_default());
    Ok(clean)
}

/// Where the JSON escape holding byte `at` of `bytes` starts (`\n`, `\"`, `\u00e9`), or `at` when
/// none does. Linear over a text: for a secret without backslashes, the run of backslashes counted
/// before one occurrence lies after the previous occurrence.
fn escape_start(bytes: &[u8], at: usize) -> usize {
    // An escape is at most six bytes, `\uXXXX`: the nearest backslash within five bytes decides.
    let mut slash = at;
    while slash > 0 && at - slash < 5 {
        slash -= 1;
        if bytes.get(slash) == Some(&b'\\') {
            let mut run = slash;
            while run > 0 && bytes.get(run - 1) == Some(&b'\\') {
                run -= 1;
            }
            // After an odd run of backslashes, this one is escaped itself and starts nothing.
            let length = if bytes.get(slash + 1) == Some(&b'u') {
                6
            } else {
                2
            };
            return if (slash - run) % 2 == 0 && slash + length > at {
                slash
            } else {
                at
            };
        }
    }
    at
}

/// Whether the JSON `text` has an escape standing for a character of `secret` (`\u00XX` for a
/// printable ASCII one, `\"`, `\\` or `\/` for those), or for a control character that JSON writes
/// as the secret starts (`\u000C` for a form feed, written `\f`, before "uzz-…" for "fuzz-…").
fn may_hide_in_escapes(text: &str, secret: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = find_byte(bytes.get(from..).unwrap_or_default(), b'\\') {
        let at = from + at;
        let stands_for = match bytes.get(at + 1) {
            Some(b'u') => match bytes.get(at + 2..at + 6) {
                Some(&[b'0', b'0', high, low]) => {
                    let digit = |b: u8| char::from(b).to_digit(16);
                    digit(high).zip(digit(low)).map(|(h, l)| (h << 4 | l) as u8)
                }
                _ => None,
            },
            Some(&c @ (b'"' | b'\\' | b'/')) => Some(c),
            // \b \f \n \r \t stand for control characters, never in a token.
            _ => None,
        };
        if stands_for.is_some_and(|c| c.is_ascii_graphic() && secret.as_bytes().contains(&c)) {
            return true;
        }
        let control = match bytes.get(at + 1) {
            // Written as it stands: only a secret starting with its letter can follow it.
            Some(&letter @ (b'b' | b'f' | b'n' | b'r' | b't')) => {
                (secret.as_bytes().first() == Some(&letter)).then_some(match letter {
                    b'b' => 0x08,
                    b'f' => 0x0c,
                    b'n' => b'\n',
                    b'r' => b'\r',
                    _ => b'\t',
                })
            }
            _ => stands_for.filter(|c| *c < 0x20),
        };
        if control.is_some_and(|control| spelled_after_control(bytes, at, control, secret)) {
            return true;
        }
        // Past the escaped character: in `\\u0074` the second backslash starts no escape.
        from = at + 2;
    }
    false
}

/// Whether the control character `control`, escaped at byte `at` of the JSON text `bytes`, would
/// start spelling `secret` once written as JSON writes it (`\f` for a form feed, `\u001f`), with the
/// text after the escape going on as the secret does (up to an escape, which might too).
fn spelled_after_control(bytes: &[u8], at: usize, control: u8, secret: &str) -> bool {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let long = [
        b'u',
        b'0',
        b'0',
        HEX[usize::from(control >> 4)],
        HEX[usize::from(control & 15)],
    ];
    let escape: &[u8] = match control {
        0x08 => b"b",
        0x0c => b"f",
        b'\n' => b"n",
        b'\r' => b"r",
        b'\t' => b"t",
        _ => &long,
    };
    let after = at
        + if bytes.get(at + 1) == Some(&b'u') {
            6
        } else {
            2
        };
    let goes_on = |rest: &[u8]| {
        rest.iter()
            .zip(bytes.get(after..).unwrap_or_default())
            .find(|(s, t)| s != t)
            .is_none_or(|(_, t)| *t == b'\\')
    };
    (1..=escape.len()).any(|k| {
        let (head, rest) = secret.as_bytes().split_at(k.min(secret.len()));
        escape.ends_with(head) && goes_on(rest)
    })
}

/// Whether `needle` occurs in `haystack`.
///
/// Every output body is scanned for the token, so this is on the hot path of big pages; `str::contains`
/// (Two-Way) runs at a fraction of the speed in a size-optimised .wasm.
pub fn contains(haystack: &str, needle: &str) -> bool {
    find(haystack, needle, 0).is_some()
}

/// Where `needle` first occurs in `haystack` at or after byte `from`. Found positions are character
/// boundaries (both are UTF-8).
fn find(haystack: &str, needle: &str, from: usize) -> Option<usize> {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    if needle.is_empty() {
        return Some(from.min(haystack.len()));
    }
    if needle.len() >= PAIR_PROBE_MIN_NEEDLE
        && haystack.len().saturating_sub(from) >= PAIR_PROBE_MIN_TEXT
    {
        return find_by_pair_probes(haystack, needle, from);
    }
    scan(haystack, needle, from)
}

// Below these, building the pair filter costs more than scanning every byte.
const PAIR_PROBE_MIN_NEEDLE: usize = 32;
const PAIR_PROBE_MIN_TEXT: usize = 1024;

/// [`find`] for a long needle in a long text, reading one pair of adjacent bytes per
/// `needle.len() - 1`: an occurrence spans `needle.len() - 1` consecutive pair positions, so exactly
/// one of them is probed, and the probed pair is one of the needle's. Only where the probed pair
/// passes a filter of the needle's pairs is the stretch of starts that probe answers for searched.
/// Those stretches follow one another without gap or overlap, in order, so the first found is the
/// first occurrence. (A token is ~80-200 bytes: a 4.5 MB page is ~25,000-60,000 probes, not 4.5 M
/// bytes.)
// Out of line: V8 compiles a wasm function when it is first called, and short texts never call this.
#[inline(never)]
fn find_by_pair_probes(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let mut filter = [0u64; 64];
    for pair in needle.windows(2) {
        if let [first, second] = *pair {
            let bit = pair_bit(first, second);
            if let Some(word) = filter.get_mut(bit / 64) {
                *word |= 1 << (bit % 64);
            }
        }
    }
    let stride = needle.len() - 1;
    let mut probe = from;
    while let Some(&[first, second]) = haystack.get(probe..probe + 2) {
        let bit = pair_bit(first, second);
        if filter
            .get(bit / 64)
            .is_some_and(|word| word >> (bit % 64) & 1 == 1)
        {
            // The starts whose pairs this probe covers: from `probe - (len - 2)` (or `from`) to `probe`.
            let first_start = probe.saturating_sub(needle.len() - 2).max(from);
            let stretch = haystack.get(..probe + needle.len()).unwrap_or(haystack);
            if let Some(found) = scan(stretch, needle, first_start) {
                return Some(found);
            }
        }
        probe += stride;
    }
    None
}

/// A pair of bytes' bit in [`find_by_pair_probes`]'s 4096-bit filter (a multiplicative hash, so
/// that the pairs JSON is made of do not crowd a few bits).
#[inline(always)]
fn pair_bit(first: u8, second: u8) -> usize {
    ((u32::from(first) << 8 | u32::from(second)).wrapping_mul(0x9E37_79B1) >> 20) as usize
}

/// [`find`] by a word-at-a-time scan for one of the needle's bytes, then a compare.
fn scan(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    // No start past this has room for the needle: a text shorter than a token (most an output holds)
    // is answered at once, not scanned for every byte like the token's first.
    let last_start = haystack.len().checked_sub(needle.len())?;
    if from > last_start {
        return None;
    }
    // A token's first byte is often a common letter (a JWT starts with "e"): scanning for it stops at
    // every "e" of a page. Its rarest byte stops at few places; on a short text, choosing costs more.
    let anchor = if haystack.len() - from >= 256 {
        rarest_byte(needle)
    } else {
        0
    };
    let byte = *needle.get(anchor)?;
    let mut at = from + anchor;
    let anchors_end = last_start + anchor + 1;
    while let Some(hit) = find_byte(haystack.get(at..anchors_end)?, byte) {
        let start = at + hit - anchor;
        if haystack.get(start..start + needle.len()) == Some(needle) {
            return Some(start);
        }
        at += hit + 1;
    }
    None
}

/// Printable ASCII from the most to the least frequent in agent JSON (counted on the bench's
/// 1000-agent page; letters it lacks are placed as in English text).
const MOST_FREQUENT_FIRST: &[u8] =
    b"\"e,a:0tosilcnrp=1dmC2-Du3f.476g8NySUx5bRTOA9vIGMhw{}[]ZkBEPFVL@_HQ()WKq/JXjzY!#$%&'*+;<>?\\^`|~";

/// How common each ASCII byte is in agent JSON, higher for more common; unlisted bytes (spaces,
/// controls, which tokens never hold) are 0, as rare as the rarest.
const COMMONNESS: [u8; 128] = {
    let mut rank = [0; 128];
    let mut i = 0;
    while i < MOST_FREQUENT_FIRST.len() {
        rank[MOST_FREQUENT_FIRST[i] as usize] = (MOST_FREQUENT_FIRST.len() - i) as u8;
        i += 1;
    }
    rank
};

/// The position, among the first 16 bytes of `needle`, of the byte least common in agent JSON.
fn rarest_byte(needle: &[u8]) -> usize {
    let commonness = |b: u8| COMMONNESS.get(usize::from(b)).copied().unwrap_or(0);
    let mut rarest = (0, u8::MAX);
    for (i, &b) in needle.iter().enumerate().take(16) {
        if commonness(b) < rarest.1 {
            rarest = (i, commonness(b));
        }
    }
    rarest.0
}

/// The first position of `byte` in `haystack`, eight bytes per step (the classic SWAR zero-byte test).
fn find_byte(haystack: &[u8], byte: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let pattern = ONES * u64::from(byte);
    let chunks = haystack.chunks_exact(8);
    let tail_start = haystack.len() - chunks.remainder().len();
    let mut start = tail_start;
    for (index, chunk) in chunks.enumerate() {
        let word = u64::from_le_bytes([
            chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
        ]) ^ pattern;
        if word.wrapping_sub(ONES) & !word & HIGHS != 0 {
            start = index * 8;
            break;
        }
    }
    haystack
        .get(start..)
        .unwrap_or_default()
        .iter()
        .position(|&b| b == byte)
        .map(|p| start + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_every_occurrence_and_borrows_otherwise() {
        assert_eq!(
            redact("a TOKEN b TOKEN", "TOKEN"),
            "a [REDACTED] b [REDACTED]"
        );
        assert!(matches!(redact("nothing here", "TOKEN"), Cow::Borrowed(_)));
        assert!(matches!(redact("anything", ""), Cow::Borrowed(_)));
        assert_eq!(redact_owned("xTOKENx".into(), "TOKEN"), "x[REDACTED]x");
    }

    #[test]
    fn a_text_that_spells_the_secret_once_written_as_json_is_redacted() {
        // (text, secret, redacted): an escape's letter or hex digits, or a backslash, start or end it.
        let cases = [
            (
                "\tail-of-the-token-0123",
                "tail-of-the-token-0123",
                "[REDACTED]",
            ),
            (
                "x\nabc-token-0123456789 y",
                "nabc-token-0123456789",
                "x[REDACTED] y",
            ),
            ("\u{1f}abcdef0123456789", "1fabcdef0123456789", "[REDACTED]"),
            (
                "\u{1f}abcdef0123456789",
                "001fabcdef0123456789",
                "[REDACTED]",
            ),
            ("ab\u{c}cdef0123456789", "ab\\fcdef0123456789", "[REDACTED]"),
            (
                "a \"quoted-token-0123456",
                "\\\"quoted-token-0123456",
                "a [REDACTED]",
            ),
        ];
        for (text, secret, redacted) in cases {
            assert!(!contains(text, secret) && contains(&quoted(text), secret));
            assert!(spells(text, secret), "{text:?}");
            assert_eq!(redact(text, secret), redacted, "{text:?}");
            assert!(!contains(&quoted(&redact(text, secret)), secret));
        }
        // Escaped text that does not spell it stays as it is, borrowed.
        let text = "tab\there, \"quoted\", nothing else";
        assert!(!spells(text, "there-is-no-token-here"));
        assert!(matches!(
            redact(text, "there-is-no-token-here"),
            Cow::Borrowed(_)
        ));
        let mut value = crate::json::parse_value(r#"{"a":["\tail-of-the-token-0123"]}"#).unwrap();
        assert!(value_contains(&value, "tail-of-the-token-0123"));
        redact_value(&mut value, "tail-of-the-token-0123");
        assert_eq!(
            crate::json_writer::to_json_string(&value),
            r#"{"a":["[REDACTED]"]}"#
        );
    }

    #[test]
    fn json_text_whose_strings_would_spell_the_secret_once_written_again_is_redacted() {
        // The body writes the control character one way, JSON.stringify (a host logging the parsed
        // rawResponse) another, which spells the secret.
        for (text, secret, redacted) in [
            (
                r#"{"a":"\u000cuzz-token-0123456789","b":"\n"}"#,
                "fuzz-token-0123456789",
                r#"{"a":"[REDACTED]","b":"\n"}"#,
            ),
            (
                r#"{"a":"x\u001Fabcdef0123456789"}"#,
                "1fabcdef0123456789",
                r#"{"a":"x[REDACTED]"}"#,
            ),
            (
                r#"{"a":"\u001Fabcdef0123456789"}"#,
                "u001fabcdef0123456789",
                r#"{"a":"[REDACTED]"}"#,
            ),
        ] {
            assert_eq!(redact_json_text(text.to_owned(), secret), redacted);
        }
        // The same escapes before other text are left as received.
        let text = r#"{"a":"\u000cuzz-nothing-else","b":"\fuzz"}"#;
        assert_eq!(
            redact_json_text(text.to_owned(), "fuzz-token-0123456789"),
            text
        );
    }

    #[test]
    fn a_secret_spelled_in_escapes_is_redacted_string_by_string_even_in_text_a_tree_cannot_hold() {
        let secret = "secret-token-0123456789";
        let hidden = format!("\\u0073{}", &secret[1..]);
        // A number beyond f64 and a lone surrogate beside it: only the string holding it changes.
        let text = format!(r#"{{"big":1e400,"odd":"\ud800x","s":"a {hidden}"}}"#);
        assert_eq!(
            redact_json_text(text, secret),
            r#"{"big":1e400,"odd":"\ud800x","s":"a [REDACTED]"}"#
        );
        // Cut short after it (never a body read as JSON): what was rewritten stays rewritten.
        let cut = format!(r#"{{"s":"{hidden}","t":"unterminated"#);
        assert_eq!(
            redact_json_text(cut, secret),
            r#"{"s":"[REDACTED]","t":"unterminated"#
        );
    }

    #[test]
    fn escapes_that_could_spell_a_secret_are_told_apart() {
        let secret = "tok/en-0123456789";
        for (text, hides) in [
            (r#""\u0074""#, true),
            (r#""\u0054""#, false),
            (r#""\\u0074""#, false),
            (r#""\n\r\b\f\u0014""#, false),
            // A tab is written `\t`: a tab and "ok/en…" would spell the secret once written.
            (r#""\tok/en-0123456789""#, true),
            (r#""\u0009ok\u002fen""#, true),
            (r#""\t""#, false),
            (r#""\u0009other""#, false),
            (r#""\u00e9\u2028""#, false),
            (r#""\/""#, true),
            (r#""\\""#, false),
            (r#""\u00"#, false),
            ("\\", false),
        ] {
            assert_eq!(may_hide_in_escapes(text, secret), hides, "{text}");
        }
    }

    #[test]
    fn json_text_is_redacted_in_the_strings_a_parser_reads() {
        let secret = "tok-0123456789ab";
        let untouched = r#"{"a":"C:\\tools","b":"\u00e9"}"#.to_owned();
        assert_eq!(redact_json_text(untouched.clone(), secret), untouched);
        assert_eq!(
            redact_json_text(r#"{"a":"x tok-0123456789ab"}"#.into(), secret),
            r#"{"a":"x [REDACTED]"}"#
        );
        let hidden = r#"{"a":["\u0074ok-0123456789ab"],"\u0074ok-0123456789ab":1}"#;
        assert_eq!(
            redact_json_text(hidden.into(), secret),
            r#"{"a":["[REDACTED]"],"[REDACTED]":1}"#
        );
    }

    #[test]
    fn a_json_text_redaction_says_whether_it_rewrote_the_text() {
        let secret = "tok-0123456789ab";
        for (text, rewritten) in [
            (r#"{"a":"C:\\tools","b":"\u00e9"}"#, false),
            (r#"{"a":"plain"}"#, false),
            (r#"{"a":"x tok-0123456789ab"}"#, true),
            (r#"{"a":"\u0074ok-0123456789ab"}"#, true),
            (r#"{"a":"\ttok-0123456789ab"}"#, true),
        ] {
            let (out, redacted) = redact_read_json_text(text.to_owned(), secret, false);
            assert_eq!(redacted, rewritten, "{text}");
            assert_eq!(out != text, rewritten, "{text}");
            assert_eq!(out, redact_json_text(text.to_owned(), secret));
            // A reader that met no escape (no backslash in the text) lets the escape scan be skipped.
            if !text.contains('\\') {
                assert_eq!(
                    redact_read_json_text(text.to_owned(), secret, true),
                    (out, redacted)
                );
            }
        }
    }

    #[test]
    fn a_secret_starting_inside_an_escape_is_replaced_with_the_escape() {
        let secret = "nu0041abcdefghijklm";
        for (text, expected) in [
            (r#"["\nu0041abcdefghijklm"]"#, r#"["[REDACTED]"]"#),
            (r#"["\\nu0041abcdefghijklm"]"#, r#"["\\[REDACTED]"]"#),
            (r#"["\\\nu0041abcdefghijklm"]"#, r#"["\\[REDACTED]"]"#),
            (
                r#"["\u00e9nu0041abcdefghijklm"]"#,
                r#"["\u00e9[REDACTED]"]"#,
            ),
            (
                r#"["\u006enu0041abcdefghijklm"]"#,
                r#"["\u006e[REDACTED]"]"#,
            ),
            (
                r#"["x\u0000nu0041abcdefghijklm"]"#,
                r#"["x\u0000[REDACTED]"]"#,
            ),
        ] {
            assert_eq!(redact_json_text(text.into(), secret), expected, "{text}");
        }
        // Inside a `\uXXXX` escape, at each of its digits.
        for (text, secret) in [
            (r#"["\u0041bcdefghijklmnopq"]"#, "u0041bcdefghijklmnopq"),
            (r#"["\u0041bcdefghijklmnopq"]"#, "0041bcdefghijklmnopq"),
            (r#"["\u0041bcdefghijklmnopq"]"#, "041bcdefghijklmnopq"),
            (r#"["\u0041bcdefghijklmnopq"]"#, "41bcdefghijklmnopq"),
            (r#"["\u0041bcdefghijklmnopq"]"#, "1bcdefghijklmnopq"),
        ] {
            assert_eq!(
                redact_json_text(text.into(), secret),
                r#"["[REDACTED]"]"#,
                "{secret}"
            );
        }
        assert_eq!(
            redact_json_text(r#"["\u0041bcdefghijklmnopq"]"#.into(), "bcdefghijklmnopq"),
            r#"["\u0041[REDACTED]"]"#,
            "past the escape"
        );
    }

    #[test]
    fn redacted_json_text_stays_json_without_the_secret() {
        // Texts of escapes, near misses and secrets, in every order a small generator makes; a
        // secret may start inside `\n` or in the digits of `\u006e`.
        let pieces = [
            "\\n",
            "\\u006e",
            "\\u00",
            "6e",
            "\\u0041",
            "\\\\",
            "\\\"",
            "n",
            "a",
            "abc",
            "nabc",
            "defghijklmnopq",
            "\\t",
            "\\/",
            "6eabc",
        ];
        let mut state = 7u64;
        let mut escapes = 0;
        for secret in [
            "nabcdefghijklmnopq",
            "6eabcdefghijklmnopq",
            "eabcdefghijklmnopq",
        ] {
            for _ in 0..3000 {
                let mut inner = String::new();
                for _ in 0..6 {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    inner.push_str(pieces[(state >> 33) as usize % pieces.len()]);
                }
                let text = format!(r#"{{"{inner}":["{inner}"]}}"#);
                let Ok(original) = serde_json::from_str::<serde_json::Value>(&text) else {
                    continue; // `\u00` before what is not two hex digits
                };
                let clean = redact_json_text(text.clone(), secret);
                let read: serde_json::Value = serde_json::from_str(&clean)
                    .unwrap_or_else(|e| panic!("{text} became {clean}, not JSON: {e}"));
                assert!(!clean.contains(secret), "{text} became {clean}");
                assert!(!read.to_string().contains(secret), "{text} reads as {read}");
                if !text.contains(secret) && !original.to_string().contains(secret) {
                    assert_eq!(clean, text, "nothing to redact, nothing changed");
                }
                // Cases where replacing the text alone breaks it.
                let plain = redact(&text, secret);
                escapes += usize::from(serde_json::from_str::<serde_json::Value>(&plain).is_err());
            }
        }
        assert!(escapes > 10, "the generator reaches escapes: {escapes}");
    }

    #[test]
    fn the_marker_never_spells_a_token_again() {
        // Tokens as `connection::validate_token` takes them (no square bracket) made of the marker's
        // letters, in texts of the marker's pieces and the token's: the `[REDACTED]` put in a token's
        // place must never spell it again with what stands beside it. (A token ending in `[` would be:
        // "abcdefghijklmnop" then the token, redacted, is the token.)
        let mut state = 11u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            state >> 33
        };
        for secret in [
            "REDACTEDREDACTED",
            "ACTED-0123456789",
            "0123456789-REDAC",
            "tREDACTED-tail-01",
        ] {
            let (head, tail) = secret.split_at(secret.len() / 2);
            let pieces = [
                "[",
                "]",
                REDACTED,
                "REDACTED",
                "RED",
                "ACTED",
                "\\t",
                "\t",
                "t",
                secret,
                head,
                tail,
                &secret[..secret.len() - 1],
                &secret[1..],
            ];
            for _ in 0..3000 {
                let mut text = String::new();
                for _ in 0..1 + next() % 7 {
                    text.push_str(pieces[next() as usize % pieces.len()]);
                }
                let clean = redact(&text, secret);
                assert!(!spells(&clean, secret), "{text:?} became {clean:?}");
                let json = redact_json_text(quoted(&text), secret);
                assert!(!json.contains(secret), "{text:?} became {json}");
                let read = crate::json::parse_value(&json).unwrap();
                assert!(!value_contains(&read, secret), "{text:?} reads as {json}");
            }
        }
    }

    #[test]
    fn finds_like_the_standard_search_on_every_short_text_of_two_letters() {
        for length in 0..=13 {
            for bits in 0u32..1 << length {
                let text: String = (0..length)
                    .map(|i| if bits >> i & 1 == 1 { 'b' } else { 'a' })
                    .collect();
                for needle in ["a", "b", "ab", "ba", "bb", "aab", "abba", "bbbbbbbbb"] {
                    for from in [0, 1, 7, 8, 9] {
                        let expected = text.get(from..).and_then(|rest| rest.find(needle));
                        assert_eq!(
                            find(&text, needle, from),
                            expected.map(|p| p + from),
                            "{text:?} / {needle:?} from {from}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn finds_like_the_standard_search_in_long_texts_anchored_on_a_rare_byte() {
        // Long enough to anchor on the needle's rarest byte (not its first, "e"), with near misses
        // (every prefix and suffix of the needle) and matches at both ends.
        let needle = "eyJhbGciOiJIUzI1";
        assert_ne!(rarest_byte(needle.as_bytes()), 0);
        let mut pieces = vec!["e".to_owned(), "eyJ".to_owned(), "J".to_owned()];
        for i in 1..needle.len() {
            pieces.push(needle[..i].to_owned());
            pieces.push(needle[i..].to_owned());
        }
        for seed in 0..64usize {
            let mut text = String::new();
            let mut state = seed as u64 * 7919 + 1;
            while text.len() < 300 + seed * 11 {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let piece = &pieces[(state >> 33) as usize % pieces.len()];
                text.push_str(if (state >> 20) % 97 == 0 {
                    needle
                } else {
                    piece
                });
            }
            let text = match seed % 4 {
                0 => [needle, &text].concat(),
                1 => [&text, needle].concat(),
                _ => text,
            };
            for from in [0, 1, 2, 3, 40, text.len() - 300, text.len()] {
                let expected = text[from..].find(needle).map(|p| p + from);
                assert_eq!(
                    find(&text, needle, from),
                    expected,
                    "seed {seed} from {from}"
                );
            }
            assert_eq!(redact(&text, needle), text.replace(needle, REDACTED));
        }
    }

    #[test]
    fn finds_like_the_standard_search_by_pair_probes() {
        // Texts long enough for the pair probes, made of the needle's prefixes and suffixes (so that
        // most probes pass the filter) and of bytes it lacks, with whole needles planted at every
        // offset from the probes, near misses, overlaps and both ends.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |bound: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize % bound
        };
        let alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
        for needle_len in [8, 31, 32, 33, 47, 80, 163, 300] {
            for round in 0..6 {
                let needle: String = (0..needle_len)
                    .map(|_| char::from(alphabet[next(if round < 3 { 4 } else { alphabet.len() })]))
                    .collect();
                let mut text = String::new();
                while text.len() < PAIR_PROBE_MIN_TEXT + 3000 {
                    let cut = next(needle_len);
                    match next(9) {
                        0 => text.push_str(&needle[..cut]),
                        1 => text.push_str(&needle[cut..]),
                        2 if next(5) == 0 => text.push_str(&needle),
                        3 => text.push_str("\"é\":{\"x\":[1,2]},"),
                        _ => text.push(char::from(alphabet[next(alphabet.len())])),
                    }
                }
                let text = match round % 3 {
                    0 => [needle.as_str(), &text].concat(),
                    1 => [&text, needle.as_str()].concat(),
                    _ => text,
                };
                for from in (0..text.len().min(2 * needle_len + 3)).chain([
                    text.len() / 2,
                    text.len() - PAIR_PROBE_MIN_TEXT,
                    text.len(),
                ]) {
                    let from = (0..=from)
                        .rev()
                        .find(|&f| text.is_char_boundary(f))
                        .unwrap_or(0);
                    let expected = text[from..].find(&needle).map(|p| p + from);
                    assert_eq!(find(&text, &needle, from), expected, "{needle} from {from}");
                }
                assert_eq!(redact(&text, &needle), text.replace(&needle, REDACTED));
            }
            // One needle in a text without its pairs, at every offset from the probes.
            let needle: String = (0..needle_len)
                .map(|i| char::from(b'a' + (i % 7) as u8))
                .collect();
            for at in 0..needle_len + 2 {
                let text = [
                    "#".repeat(PAIR_PROBE_MIN_TEXT + at),
                    needle.clone(),
                    "#".repeat(40),
                ]
                .concat();
                for from in [
                    0,
                    1,
                    at,
                    PAIR_PROBE_MIN_TEXT + at,
                    PAIR_PROBE_MIN_TEXT + at + 1,
                ] {
                    let expected = text[from..].find(&needle).map(|p| p + from);
                    assert_eq!(find(&text, &needle, from), expected, "at {at} from {from}");
                }
            }
        }
    }

    #[test]
    fn contains_agrees_with_the_standard_search() {
        let haystacks = [
            "",
            "a",
            "abcdefgh",
            "abcdefghTOKEN",
            "TOKENabcdefghijklmnop",
            "xxxxxxxTOKxxxxxxxTOKENxx",
            "TTTTTTTTTTTTTTTTTOKEN",
            "ééééTOKEN€€",
            "0123456789abcdefTOKE",
            "TOKENTOKENTOKEN",
            "xxxxxxxxxxxxxxxxxxxxxxxxx",
        ];
        for haystack in haystacks {
            for needle in ["", "T", "TOKEN", "x", "xxx", "€", "TOKE", "N"] {
                assert_eq!(
                    contains(haystack, needle),
                    haystack.contains(needle),
                    "{haystack:?} / {needle:?}"
                );
                if !needle.is_empty() {
                    assert_eq!(
                        redact(haystack, needle),
                        haystack.replace(needle, REDACTED),
                        "{haystack:?} / {needle:?}"
                    );
                }
            }
        }
    }
}
