//! Response text the driver copies as Latin-1 (one byte a character, as the JS engine holds a string
//! whose characters are all up to U+00FF), widened to UTF-8 in place.
//!
//! The engine's UTF-8 encoder takes about ten times as long on such a string once it holds one
//! character above U+007F (a Western tenant's page: `Jürgen`, `Zürich`); a byte copy and this
//! widening take a fraction of that. The driver copies the bytes without measuring the text's UTF-8
//! first (`Buffer.byteLength`, a pass over the string that was 8 % of reading a 4.5 MB page): the
//! bytes to widen are counted here, eight at a time.

const HIGHS: u64 = 0x8080_8080_8080_8080;

/// How many bytes of `latin1` are above 0x7F: each widens to two bytes of UTF-8.
pub fn high_bytes(latin1: &[u8]) -> usize {
    let word = |bytes: &[u8], at: usize| {
        bytes
            .get(at..at + 8)
            .and_then(|word| <[u8; 8]>::try_from(word).ok())
            .map_or(0, |word| u64::from_le_bytes(word) & HIGHS)
    };
    let mut count = 0;
    let mut blocks = latin1.chunks_exact(32);
    // Most pages are ASCII: 32 bytes a step, counted only in a block that holds a high byte.
    for block in &mut blocks {
        let words = [
            word(block, 0),
            word(block, 8),
            word(block, 16),
            word(block, 24),
        ];
        if words[0] | words[1] | words[2] | words[3] != 0 {
            count += words.iter().map(|w| w.count_ones() as usize).sum::<usize>();
        }
    }
    count
        + blocks
            .remainder()
            .iter()
            .filter(|&&byte| byte > 0x7F)
            .count()
}

/// Widens the Latin-1 text that fills `buffer` to UTF-8 in place, given `high`, its count of bytes
/// above 0x7F ([`high_bytes`]): the buffer grows by that many bytes and is rewritten from its end
/// back to the first such byte (the ASCII before it is UTF-8 already). False when the memory cannot
/// be had or `high` is more than the count (with less, the first bytes above 0x7F are left as they
/// were: callers still check the result is UTF-8). The buffer's content is unspecified after a failure.
pub fn widen_in_place(buffer: &mut Vec<u8>, high: usize) -> bool {
    let mut read = buffer.len();
    let Some(mut write) = read.checked_add(high) else {
        return false;
    };
    if buffer.try_reserve_exact(high).is_err() {
        return false;
    }
    buffer.resize(write, 0);
    // `write - read` is the count of bytes above 0x7F still to come before `read`: every write lands
    // on bytes already read or on the room added.
    while write > read {
        // Eight ASCII bytes at a time while they last (whole-word loads and stores: a copy call per
        // word made the loop three times slower).
        let word = read
            .checked_sub(8)
            .and_then(|from| buffer.get(from..read))
            .and_then(|word| <[u8; 8]>::try_from(word).ok());
        if let Some(word) = word.filter(|word| u64::from_le_bytes(*word) & HIGHS == 0) {
            if let Some(to) = buffer
                .get_mut(write - 8..write)
                .and_then(|to| <&mut [u8; 8]>::try_from(to).ok())
            {
                *to = word;
            }
            (read, write) = (read - 8, write - 8);
            continue;
        }
        let Some(byte) = read.checked_sub(1).and_then(|at| buffer.get(at)).copied() else {
            // Fewer bytes above 0x7F than `high` said.
            return false;
        };
        read -= 1;
        if byte <= 0x7F {
            write -= 1;
            if let Some(to) = buffer.get_mut(write) {
                *to = byte;
            }
        } else {
            write -= 2;
            if let Some(pair) = buffer.get_mut(write..write + 2) {
                pair.copy_from_slice(&[0xC0 | (byte >> 6), 0x80 | (byte & 0x3F)]);
            }
        }
    }
    true
}

/// Why a Latin-1 body did not become text.
#[derive(Debug, PartialEq)]
pub enum Refused {
    /// Its UTF-8 would be this many bytes, more than the limit.
    TooLong(usize),
    /// The module has no memory for its UTF-8.
    NoMemory,
    /// Widened, it is not UTF-8 (never, unless this module is wrong).
    NotUtf8,
}

/// The text of the Latin-1 bytes `latin1`, widened to UTF-8 in place: refused when its UTF-8 would be
/// longer than `max_len` bytes, before any memory is taken for it.
pub fn into_utf8(mut latin1: Vec<u8>, max_len: usize) -> Result<String, Refused> {
    let high = high_bytes(&latin1);
    let length = latin1.len().saturating_add(high);
    if length > max_len {
        return Err(Refused::TooLong(length));
    }
    if high == 0 {
        debug_assert!(latin1.is_ascii());
        // SAFETY: no byte is above 0x7F (counted just above): the bytes are ASCII, which is UTF-8.
        // Checking them again was 5 % of reading a 4.5 MB page.
        return Ok(unsafe { String::from_utf8_unchecked(latin1) });
    }
    if !widen_in_place(&mut latin1, high) {
        return Err(Refused::NoMemory);
    }
    String::from_utf8(latin1).map_err(|_| Refused::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` as the driver copies it: one byte a character.
    fn latin1(text: &str) -> Vec<u8> {
        text.chars().map(|c| c as u8).collect()
    }

    fn widened(text: &str) -> Option<Vec<u8>> {
        let mut buffer = latin1(text);
        let high = high_bytes(&buffer);
        assert_eq!(high, text.len() - text.chars().count(), "{text:?}");
        widen_in_place(&mut buffer, high).then_some(buffer)
    }

    #[test]
    fn widens_latin1_text_to_the_same_text_in_utf8() {
        let cases = [
            String::new(),
            "plain ASCII, nothing to widen".to_owned(),
            "Jürgen Müller".to_owned(),
            "ÿ".to_owned(),
            "\u{80}\u{ff}\u{a0}é".to_owned(),
            format!("{}ü{}", "x".repeat(1000), "y".repeat(7)),
            (0u8..=255).map(char::from).collect(),
            "é".repeat(100),
        ];
        for text in cases {
            assert_eq!(widened(&text).as_deref(), Some(text.as_bytes()), "{text:?}");
        }
    }

    #[test]
    fn widens_every_mix_of_ascii_runs_and_high_bytes() {
        // Every run length around the eight-byte step, between high bytes of every value.
        let mut seed = 7u32;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..(seed % 9) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                text.push_str(&"a".repeat((seed >> 8) as usize % 20));
                text.push(char::from((seed >> 16) as u8 | 0x80));
            }
            text.push_str(&"z".repeat(seed as usize % 11));
            assert_eq!(widened(&text).as_deref(), Some(text.as_bytes()), "{text:?}");
        }
    }

    #[test]
    fn a_body_becomes_its_text_unless_too_long_as_utf8() {
        let ascii = "plain ASCII".repeat(10);
        assert_eq!(
            into_utf8(latin1(&ascii), ascii.len()).as_deref(),
            Ok(ascii.as_str())
        );
        let western = "Jürgen Müller, Zürich ".repeat(10);
        assert_eq!(
            into_utf8(latin1(&western), western.len()).as_deref(),
            Ok(western.as_str())
        );
        // The limit is in UTF-8 bytes, not characters: the 30 widened ones put it one byte over.
        assert_eq!(
            into_utf8(latin1(&western), western.len() - 1),
            Err(Refused::TooLong(western.len()))
        );
        assert_eq!(
            into_utf8(latin1(&ascii), ascii.len() - 1),
            Err(Refused::TooLong(ascii.len()))
        );
    }

    #[test]
    fn a_wrong_count_is_refused_or_leaves_other_bytes_never_a_panic() {
        let text = "Jürgen Müller, Zürich";
        let bytes = latin1(text);
        assert_eq!(high_bytes(&bytes), 3);
        for more in [4, 5, bytes.len(), usize::MAX] {
            assert!(!widen_in_place(&mut bytes.clone(), more), "{more}");
        }
        for fewer in [0, 1, 2] {
            let mut buffer = bytes.clone();
            if widen_in_place(&mut buffer, fewer) {
                assert_ne!(buffer, text.as_bytes(), "{fewer}");
            }
        }
        assert!(!widen_in_place(&mut Vec::new(), 1));
        assert!(widen_in_place(&mut Vec::new(), 0));
    }
}
