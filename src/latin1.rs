//! Response text the driver copies as Latin-1 (one byte a character, as the JS engine holds a string
//! whose characters are all up to U+00FF), widened to UTF-8 where it lies.
//!
//! The engine's UTF-8 encoder takes about ten times as long on such a string once it holds one
//! character above U+007F (a Western tenant's page: `Jürgen`, `Zürich`); a byte copy and this
//! widening take a fraction of that.

/// Widens the Latin-1 text in `buffer[from..]` to UTF-8 written from `buffer[0]`, in place. `from` must
/// be the number of its bytes above 0x7F (each becomes two), so that the UTF-8 fills the buffer exactly;
/// false when it is not (the buffer's content is then unspecified).
pub fn widen_in_place(buffer: &mut [u8], from: usize) -> bool {
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A `from` past the end reads nothing and fails the final check.
    let (mut read, mut write) = (from, 0);
    // `read - write` is the room left for the two-byte characters still to come, one byte each; every
    // write lands before `read` or on bytes already read.
    while let Some(&byte) = buffer.get(read) {
        // Eight ASCII bytes at a time while they last (whole-word loads and stores: a copy call per
        // word made this loop three times slower).
        if let Some(word) = buffer
            .get(read..read + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
        {
            if u64::from_le_bytes(word) & HIGHS == 0 {
                if let Some(to) = buffer
                    .get_mut(write..write + 8)
                    .and_then(|to| <&mut [u8; 8]>::try_from(to).ok())
                {
                    *to = word;
                }
                (read, write) = (read + 8, write + 8);
                continue;
            }
        }
        if byte <= 0x7F {
            if let Some(to) = buffer.get_mut(write) {
                *to = byte;
            }
            (read, write) = (read + 1, write + 1);
        } else if let Some(pair) = buffer.get_mut(write..write + 2).filter(|_| write < read) {
            pair.copy_from_slice(&[0xC0 | (byte >> 6), 0x80 | (byte & 0x3F)]);
            (read, write) = (read + 1, write + 2);
        } else {
            // No room left for it: more characters above 0x7F than `from` said.
            return false;
        }
    }
    // All the room used: the UTF-8 ends where the buffer does.
    write == read
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` as the driver lays it out: Latin-1 bytes at the end of a buffer sized for its UTF-8.
    fn laid_out(text: &str) -> (Vec<u8>, usize) {
        let latin1: Vec<u8> = text.chars().map(|c| c as u8).collect();
        let from = text.len() - latin1.len();
        let mut buffer = vec![0xEE; from];
        buffer.extend_from_slice(&latin1);
        (buffer, from)
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
            let (mut buffer, from) = laid_out(&text);
            assert!(widen_in_place(&mut buffer, from), "{text:?}");
            assert_eq!(std::str::from_utf8(&buffer), Ok(text.as_str()));
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
            let (mut buffer, from) = laid_out(&text);
            assert!(widen_in_place(&mut buffer, from), "{text:?}");
            assert_eq!(std::str::from_utf8(&buffer), Ok(text.as_str()));
        }
    }

    #[test]
    fn a_wrong_room_is_refused_never_a_panic() {
        let (buffer, from) = laid_out("Jürgen Müller, Zürich");
        assert_eq!(from, 3);
        for wrong in [0, 1, 2, 4, 5, buffer.len(), buffer.len() + 1, usize::MAX] {
            let mut copy = buffer.clone();
            assert!(!widen_in_place(&mut copy, wrong), "from {wrong}");
        }
        assert!(!widen_in_place(&mut [], 1));
        assert!(widen_in_place(&mut [], 0));
    }
}
