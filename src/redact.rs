//! Keeping the API token out of every text the connector hands back.

use std::borrow::Cow;

/// What a secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// `text` with every occurrence of `secret` replaced by `[REDACTED]` (borrowed when there is none).
pub fn redact<'t>(text: &'t str, secret: &str) -> Cow<'t, str> {
    if secret.is_empty() || !contains(text, secret) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.replace(secret, REDACTED))
    }
}

/// Redacts `secret` from an owned string in place, allocating only when it occurs.
pub fn redact_owned(text: String, secret: &str) -> String {
    match redact(&text, secret) {
        Cow::Borrowed(_) => text,
        Cow::Owned(clean) => clean,
    }
}

/// Whether `needle` occurs in `haystack`: a word-at-a-time scan for its first byte, then a compare.
///
/// Every output body is scanned for the token, so this is on the hot path of big pages; `str::contains`
/// (Two-Way) runs at a fraction of the speed in a size-optimised .wasm.
pub fn contains(haystack: &str, needle: &str) -> bool {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let mut from = 0;
    while let Some(at) = find_byte(haystack.get(from..).unwrap_or_default(), first) {
        let at = from + at;
        if haystack
            .get(at + 1..)
            .is_some_and(|after| after.starts_with(rest))
        {
            return true;
        }
        from = at + 1;
    }
    false
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
    haystack[start..]
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
        ];
        for haystack in haystacks {
            for needle in ["", "T", "TOKEN", "x", "€", "TOKE", "N"] {
                assert_eq!(
                    contains(haystack, needle),
                    haystack.contains(needle),
                    "{haystack:?} / {needle:?}"
                );
            }
        }
    }
}
