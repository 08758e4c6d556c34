//! A small pull reader for JSON text: strings borrowed from the text, values skipped without
//! allocating, nesting limited. Agent pages and error envelopes are read with it, and hosts' inputs
//! and stored snapshots become [`Value`] trees through [`parse_value`]. It is several times
//! faster than serde's generic deserializer in a size-optimised .wasm, and much smaller: the module
//! has no serde deserializer at all.
//!
//! It accepts exactly RFC 8259 JSON, so a text it read is one the JS engine's `JSON.parse` reads too.

use std::borrow::Cow;

use crate::loose::Loose;
use crate::value::{Number, Object, Value};

/// A reading error: what was wrong and at which byte.
pub type Error = String;

/// Reads one JSON text front to back.
pub struct Reader<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
    max_depth: usize,
    escaped: bool,
}

/// What [`Reader::object`] calls for each member: the reader at the value, and the member's name.
type MemberReader<'r, 'a> = dyn FnMut(&mut Reader<'a>, Cow<'a, str>) -> Result<(), Error> + 'r;

// Skipping tracks which open containers are objects in one bit each.
const MAX_SKIP_LEVELS: usize = 64;

impl<'a> Reader<'a> {
    /// A reader at the start of `text` that refuses arrays and objects nested deeper than `max_depth`.
    pub fn new(text: &'a str, max_depth: usize) -> Self {
        Self {
            text,
            pos: 0,
            depth: 0,
            max_depth: max_depth.min(MAX_SKIP_LEVELS),
            escaped: false,
        }
    }

    /// Whether a string read or skipped so far held an escape. JSON text holds a backslash only
    /// there, so a text read to its end without one holds none.
    pub fn met_escape(&self) -> bool {
        self.escaped
    }

    #[inline(always)]
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn error(&self, what: &str) -> Error {
        format!("{what} at byte {}", self.pos)
    }

    #[inline(always)]
    fn peek(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(self.pos) {
            self.pos += 1;
        }
        bytes.get(self.pos).copied()
    }

    #[inline(always)]
    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    #[inline(always)]
    fn expect(&mut self, byte: u8, what: &str) -> Result<(), Error> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(format!(
                "the body nests deeper than {} levels",
                self.max_depth
            ));
        }
        Ok(())
    }

    /// Whether an object comes next.
    pub fn at_object(&mut self) -> bool {
        self.peek() == Some(b'{')
    }

    /// Reads an object, calling `field` with each key; `field` must read or skip the value.
    pub fn object(
        &mut self,
        mut field: impl FnMut(&mut Self, Cow<'a, str>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.any_object(&mut field)
    }

    // One copy of the loop for every caller (a copy per closure type was ~1.3 KB of .wasm each).
    #[inline(never)]
    fn any_object(&mut self, field: &mut MemberReader<'_, 'a>) -> Result<(), Error> {
        self.expect(b'{', "expected an object")?;
        self.enter()?;
        if !self.eat(b'}') {
            loop {
                let key = self.string()?;
                self.expect(b':', "expected `:`")?;
                field(self, key)?;
                if !self.eat(b',') {
                    self.expect(b'}', "expected `,` or `}`")?;
                    break;
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Reads an array, calling `item` for each element; `item` must read or skip it.
    pub fn array(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.any_array(&mut item)
    }

    #[inline(never)]
    fn any_array(
        &mut self,
        item: &mut dyn FnMut(&mut Self) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.expect(b'[', "expected an array")?;
        self.enter()?;
        if !self.eat(b']') {
            loop {
                item(self)?;
                if !self.eat(b',') {
                    self.expect(b']', "expected `,` or `]`")?;
                    break;
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Reads `null` when it comes next.
    pub fn null(&mut self) -> Result<bool, Error> {
        if self.peek() == Some(b'n') {
            self.literal("null")?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Reads a string, borrowed from the text when it has no escapes.
    pub fn string(&mut self) -> Result<Cow<'a, str>, Error> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a string"));
        }
        let start = self.pos + 1;
        let bytes = self.bytes();
        let i = plain_run_end(bytes, start);
        match bytes.get(i).copied() {
            Some(byte) => match byte {
                b'"' => {
                    self.pos = i + 1;
                    self.text
                        .get(start..i)
                        .map(Cow::Borrowed)
                        .ok_or_else(|| self.error("invalid string"))
                }
                b'\\' => self.escaped_string(start, i),
                _ => {
                    self.pos = i;
                    Err(self.error("control character in a string"))
                }
            },
            None => {
                self.pos = i;
                Err(self.error("unterminated string"))
            }
        }
    }

    // Out of line: V8 compiles a wasm function when it is first called, and most pages have no escape.
    #[inline(never)]
    fn escaped_string(&mut self, start: usize, mut i: usize) -> Result<Cow<'a, str>, Error> {
        self.escaped = true;
        let bytes = self.bytes();
        let mut out = bytes.get(start..i).unwrap_or_default().to_vec();
        loop {
            self.pos = i;
            match bytes.get(i).copied() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos = i + 1;
                    return String::from_utf8(out)
                        .map(Cow::Owned)
                        .map_err(|_| self.error("invalid string"));
                }
                Some(b'\\') => {
                    let escape = bytes.get(i + 1).copied();
                    i += 2;
                    let simple = match escape {
                        Some(b'"') => b'"',
                        Some(b'\\') => b'\\',
                        Some(b'/') => b'/',
                        Some(b'b') => 8,
                        Some(b'f') => 12,
                        Some(b'n') => b'\n',
                        Some(b'r') => b'\r',
                        Some(b't') => b'\t',
                        Some(b'u') => {
                            let (c, next) = self.unicode_escape(i)?;
                            i = next;
                            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                            continue;
                        }
                        _ => return Err(self.error("invalid escape")),
                    };
                    out.push(simple);
                }
                Some(0..=0x1f) => return Err(self.error("control character in a string")),
                Some(byte) => {
                    out.push(byte);
                    i += 1;
                }
            }
        }
    }

    /// The character of a `\u` escape whose hex digits start at `at` (a surrogate pair takes two).
    fn unicode_escape(&self, at: usize) -> Result<(char, usize), Error> {
        let first = self.hex4(at)?;
        let (code, next) = match first {
            0xD800..=0xDBFF => {
                let bytes = self.bytes();
                if bytes.get(at + 4) != Some(&b'\\') || bytes.get(at + 5) != Some(&b'u') {
                    return Err(self.error("lone leading surrogate in hex escape"));
                }
                let second = self.hex4(at + 6)?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("lone leading surrogate in hex escape"));
                }
                (
                    0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00),
                    at + 10,
                )
            }
            0xDC00..=0xDFFF => return Err(self.error("lone trailing surrogate in hex escape")),
            _ => (first, at + 4),
        };
        char::from_u32(code)
            .map(|c| (c, next))
            .ok_or_else(|| self.error("invalid escape"))
    }

    fn hex4(&self, at: usize) -> Result<u32, Error> {
        let digits = self.bytes().get(at..at + 4).unwrap_or_default();
        if digits.len() != 4 {
            return Err(self.error("invalid escape"));
        }
        digits.iter().try_fold(0u32, |code, &d| {
            let value = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.error("invalid escape")),
            };
            Ok(code * 16 + u32::from(value))
        })
    }

    fn skip_string(&mut self) -> Result<(), Error> {
        let bytes = self.bytes();
        let mut i = self.pos + 1;
        loop {
            i = plain_run_end(bytes, i);
            match bytes.get(i).copied() {
                None => {
                    self.pos = i;
                    return Err(self.error("unterminated string"));
                }
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.escaped = true;
                    i += match bytes.get(i + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => 2,
                        Some(b'u') => {
                            self.pos = i;
                            self.hex4(i + 2)?;
                            6
                        }
                        _ => {
                            self.pos = i;
                            return Err(self.error("invalid escape"));
                        }
                    }
                }
                Some(_) => {
                    self.pos = i;
                    return Err(self.error("control character in a string"));
                }
            }
        }
    }

    fn literal(&mut self, word: &str) -> Result<(), Error> {
        if self.bytes().get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.error("expected a value"))
        }
    }

    /// The text of the number that comes next, checked against the JSON grammar.
    fn number(&mut self) -> Result<&'a str, Error> {
        let bytes = self.bytes();
        let start = self.pos;
        let mut i = start;
        let digits = |i: &mut usize| {
            let from = *i;
            while matches!(bytes.get(*i), Some(b'0'..=b'9')) {
                *i += 1;
            }
            *i > from
        };
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        let whole = match bytes.get(i) {
            Some(b'0') => {
                i += 1;
                true
            }
            Some(b'1'..=b'9') => digits(&mut i),
            _ => false,
        };
        let mut valid = whole;
        if valid && bytes.get(i) == Some(&b'.') {
            i += 1;
            valid = digits(&mut i);
        }
        if valid && matches!(bytes.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            valid = digits(&mut i);
        }
        self.pos = i;
        match self.text.get(start..i) {
            Some(text) if valid => Ok(text),
            _ => Err(self.error("invalid number")),
        }
    }

    /// Reads any value as a loose scalar: `None` for `null`, objects and arrays skipped.
    pub fn loose(&mut self) -> Result<Option<Loose<'a>>, Error> {
        let value = match self.peek() {
            Some(b'"') => Loose::Str(self.string()?),
            Some(b't') => {
                self.literal("true")?;
                Loose::Bool(true)
            }
            Some(b'f') => {
                self.literal("false")?;
                Loose::Bool(false)
            }
            Some(b'n') => {
                self.literal("null")?;
                return Ok(None);
            }
            Some(b'{' | b'[') => {
                self.skip()?;
                Loose::Composite
            }
            Some(b'-' | b'0'..=b'9') => {
                let text = self.number()?;
                number_value(text).ok_or_else(|| self.error("number out of range"))?
            }
            _ => return Err(self.error("expected a value")),
        };
        Ok(Some(value))
    }

    /// Reads any value into a JSON tree; a key given twice is kept twice ([`crate::value::Object::get`] finds the last).
    pub fn value(&mut self) -> Result<Value, Error> {
        Ok(match self.peek() {
            Some(b'{') => {
                let mut members = Vec::new();
                self.object(|r, key| {
                    let value = r.value()?;
                    members.push((key.into_owned(), value));
                    Ok(())
                })?;
                Value::Object(Object::from_members(members))
            }
            Some(b'[') => {
                let mut items = Vec::new();
                self.array(|r| {
                    items.push(r.value()?);
                    Ok(())
                })?;
                Value::Array(items)
            }
            _ => match self.loose()? {
                None | Some(Loose::Null) => Value::Null,
                Some(Loose::Str(text)) => Value::String(text.into_owned()),
                Some(Loose::Bool(b)) => Value::Bool(b),
                Some(Loose::Int(i)) => Value::from(i),
                Some(Loose::UInt(u)) => Value::from(u),
                Some(Loose::Float(f)) => Value::Number(Number::Float(f)),
                // Containers were matched above; `loose` only skips them.
                Some(Loose::Composite) => Value::Null,
            },
        })
    }

    /// Skips the next value, whatever it is, checking it and without allocating.
    pub fn skip(&mut self) -> Result<(), Error> {
        let base = self.depth;
        // Bit n is set when the container n + 1 levels above `base` is an object.
        let mut objects = 0u64;
        loop {
            match self.peek() {
                Some(open @ (b'{' | b'[')) => {
                    self.pos += 1;
                    self.enter()?;
                    let bit = 1u64 << (self.depth - base - 1);
                    let close = if open == b'{' { b'}' } else { b']' };
                    if self.eat(close) {
                        self.depth -= 1;
                    } else {
                        if open == b'{' {
                            objects |= bit;
                            self.key()?;
                        } else {
                            objects &= !bit;
                        }
                        continue;
                    }
                }
                Some(b'"') => self.skip_string()?,
                Some(b't') => self.literal("true")?,
                Some(b'f') => self.literal("false")?,
                Some(b'n') => self.literal("null")?,
                Some(b'-' | b'0'..=b'9') => {
                    self.number()?;
                }
                _ => return Err(self.error("expected a value")),
            }
            // After a value: close finished containers, or go on to the next element.
            loop {
                let level = self.depth - base;
                if level == 0 {
                    return Ok(());
                }
                let in_object = objects >> (level - 1) & 1 == 1;
                if self.eat(b',') {
                    if in_object {
                        self.key()?;
                    }
                    break;
                }
                let close = if in_object { b'}' } else { b']' };
                self.expect(close, "expected `,` or a closing bracket")?;
                self.depth -= 1;
            }
        }
    }

    fn key(&mut self) -> Result<(), Error> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a key"));
        }
        self.skip_string()?;
        self.expect(b':', "expected `:`")
    }

    /// Checks that nothing but whitespace follows.
    pub fn end(&mut self) -> Result<(), Error> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("trailing characters")),
        }
    }
}

/// The deepest nesting [`parse_value`] reads (hosts' inputs and stored snapshots are shallow).
pub const MAX_VALUE_DEPTH: usize = MAX_SKIP_LEVELS;

/// Parses a whole JSON text into a tree.
pub fn parse_value(text: &str) -> Result<Value, Error> {
    let mut reader = Reader::new(text, MAX_VALUE_DEPTH);
    let value = reader.value()?;
    reader.end()?;
    Ok(value)
}

/// Where the plain run of string bytes starting at `from` ends: the first `"`, `\\` or control
/// character, eight bytes per step (or the end of `bytes`). Strings are most of an agent page's bytes.
#[inline(always)]
fn plain_run_end(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes([
            chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
        ]);
        let quote = has_zero(word ^ (ONES * u64::from(b'"')));
        let backslash = has_zero(word ^ (ONES * u64::from(b'\\')));
        let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
        let found = quote | backslash | control;
        if found != 0 {
            // The lowest flagged byte is exact (a borrow only runs upwards, to later bytes): no
            // byte-by-byte pass over the word that holds it.
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&byte) = bytes.get(i) {
        if byte == b'"' || byte == b'\\' || byte < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

/// A JSON number as the loose scalar serde would give: integers exactly, others as `f64`.
fn number_value(text: &str) -> Option<Loose<'static>> {
    let integral = !text.contains(['.', 'e', 'E']);
    if integral {
        // The text is a JSON number: digits after an optional minus, which `parse_u64` reads.
        let (negative, digits) = match text.strip_prefix('-') {
            Some(digits) => (true, digits),
            None => (false, text),
        };
        match crate::loose::parse_u64(digits) {
            Some(magnitude) if negative && magnitude <= i64::MIN.unsigned_abs() => {
                // 2^63 wraps to itself: i64::MIN.
                return Some(Loose::Int((magnitude as i64).wrapping_neg()));
            }
            Some(magnitude) if !negative => {
                return Some(match i64::try_from(magnitude) {
                    Ok(value) => Loose::Int(value),
                    Err(_) => Loose::UInt(magnitude),
                });
            }
            _ => {}
        }
    }
    decimal_to_f64(text)
        .filter(|f| f.is_finite())
        .map(Loose::Float)
}

/// The value of a JSON number's text (already checked to be one): exactly the nearest `f64` for
/// magnitudes from about 1e-5 to 1e19 with up to 19 significant digits (what people and
/// `JSON.stringify` write for rules, options and counts), and within a few units in the last place
/// beyond. Core's correctly rounded parser would add 18 KB of tables and code to the .wasm for
/// numbers an agent page almost never holds. (Out of line: V8 compiles a wasm function when it is
/// first called, and a page of integers never calls this one.)
#[inline(never)]
fn decimal_to_f64(text: &str) -> Option<f64> {
    let mut bytes = text.as_bytes().iter().copied().peekable();
    let negative = bytes.next_if_eq(&b'-').is_some();
    let mut significand = 0u64;
    let mut exponent = 0i64;
    let mut in_fraction = false;
    for byte in bytes.by_ref() {
        match byte {
            b'0'..=b'9' => {
                // Up to 19 significant digits are kept; the rest only move the decimal point.
                if significand < 1_000_000_000_000_000_000 {
                    significand = significand * 10 + u64::from(byte - b'0');
                    exponent -= i64::from(in_fraction);
                } else {
                    exponent += i64::from(!in_fraction);
                }
            }
            b'.' => in_fraction = true,
            b'e' | b'E' => break,
            _ => return None,
        }
    }
    let exponent_negative = bytes.peek() == Some(&b'-');
    bytes.next_if(|b| matches!(b, b'+' | b'-'));
    let mut written = 0i64;
    for byte in bytes {
        written = (written * 10 + i64::from(byte.wrapping_sub(b'0'))).min(100_000);
    }
    exponent += if exponent_negative { -written } else { written };
    let value = scale(significand, exponent);
    Some(if negative { -value } else { value })
}

/// `significand × 10^exponent` as an `f64`.
fn scale(significand: u64, exponent: i64) -> f64 {
    let wide = u128::from(significand);
    if significand == 0 {
        return 0.0;
    }
    if (0..=19).contains(&exponent) {
        // The product is exact in 128 bits (below 10^38); the conversion rounds once.
        return (wide * 10u128.pow(exponent as u32)) as f64;
    }
    if (-21..0).contains(&exponent) {
        // The quotient, taken with the significand shifted to the top, has at least 56 bits; a
        // remainder only decides ties, so it is folded into the lowest bit before the one rounding.
        let divisor = 10u128.pow(exponent.unsigned_abs() as u32);
        let shift = wide.leading_zeros() - 1;
        let shifted = wide << shift;
        let quotient = (shifted / divisor) | u128::from(shifted % divisor != 0);
        let power_of_two = f64::from_bits(u64::from(1023 - shift) << 52);
        return quotient as f64 * power_of_two;
    }
    // Beyond: the 19-digit significand, then steps of 1e22 (exact), each rounding once.
    let mut value = significand as f64;
    let mut steps = exponent.unsigned_abs();
    let remainder = 10u128.pow((steps % 22) as u32) as f64;
    value = if exponent < 0 {
        value / remainder
    } else {
        value * remainder
    };
    steps /= 22;
    while steps > 0 && value.is_finite() && value != 0.0 {
        value = if exponent < 0 {
            value / 1e22
        } else {
            value * 1e22
        };
        steps -= 1;
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps_apart(a: f64, b: f64) -> u64 {
        let key = |x: f64| {
            let bits = x.to_bits() as i64;
            if bits < 0 {
                i64::MIN - bits
            } else {
                bits
            }
        };
        key(a).abs_diff(key(b))
    }

    #[test]
    fn floats_people_and_json_stringify_write_are_the_nearest_double() {
        for text in [
            "0",
            "-0",
            "0.1",
            "0.2",
            "60.5",
            "1.5e3",
            "2500",
            "-0.000001",
            "123.456",
            "1E2",
            "1e+2",
            "9007199254740991",
            "1e22",
            "4.35e-20",
            "0.30000000000000004",
            "2.5E-3",
            "-7.0",
            "1700000000000.5",
            "0.000000000000000000001",
            // Found by search: each is misrounded if a division's remainder is not kept exactly as
            // a sticky bit (a tie left where there is none, or made where there is one).
            "6624e-21",
            "312591799208395e-21",
            "8885684217387176.5",
        ] {
            let ours = decimal_to_f64(text).unwrap();
            let core: f64 = text.parse().unwrap();
            assert_eq!(ours.to_bits(), core.to_bits(), "{text}");
        }
    }

    #[test]
    fn any_double_written_shortest_reads_back_within_a_few_ulps() {
        // Every finite double, written as JSON.stringify would (shortest round-trip digits).
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let (mut exact, mut worst) = (0, 0);
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let x = f64::from_bits(state);
            if !x.is_finite() {
                continue;
            }
            let text = format!("{x:e}");
            let ours = decimal_to_f64(&text).unwrap();
            let apart = ulps_apart(ours, x);
            exact += usize::from(apart == 0);
            worst = worst.max(apart);
            if (1e-5..1e19).contains(&x.abs()) {
                assert_eq!(apart, 0, "{text}: {ours:e}");
            }
        }
        assert!(worst <= 8, "worst {worst} ulps");
        assert!(exact > 90_000, "only {exact} exact");
    }

    #[test]
    fn a_plain_run_ends_at_the_first_quote_backslash_or_control_byte() {
        // Bytes that end a run, and bytes next to them in value that do not (UTF-8 continuation and
        // lead bytes included): every one at every offset from the start, with a second stop after it.
        let stops = [b'"', b'\\', 0x00, 0x1f, b'\n'];
        let plain = [
            b' ', b'!', b'#', b'[', b']', 0x7f, 0x80, 0x9f, 0xa0, 0xc3, 0xff,
        ];
        for from in 0..3 {
            for at in from..from + 20 {
                for &stop in &stops {
                    for &filler in &plain {
                        let mut bytes = vec![filler; 40];
                        bytes[at] = stop;
                        bytes[at + 1 + at % 3] = b'"';
                        assert_eq!(
                            plain_run_end(&bytes, from),
                            at,
                            "{stop:#x} at {at} after {filler:#x}"
                        );
                    }
                }
            }
            let bytes = [b'a'; 30];
            assert_eq!(plain_run_end(&bytes, from), bytes.len());
        }
    }

    fn skip_all(text: &str) -> Result<(), Error> {
        let mut reader = Reader::new(text, 64);
        reader.skip()?;
        reader.end()
    }

    #[test]
    fn skips_exactly_what_json_allows() {
        for good in [
            "0",
            "-0.5e+10",
            "1E3",
            r#""a\"b\\c\/\b\f\n\r\t\u00e9\ud83d\ude00""#,
            r#"{"a":[1,{"b":null},[],{}],"c":true,"d":false}"#,
            " [ 1 , 2 ] ",
            "[[[[]]]]",
            r#""\ud800""#,
        ] {
            assert_eq!(skip_all(good), Ok(()), "{good}");
            let parsed: Result<serde_json::Value, _> = serde_json::from_str(good);
            assert!(parsed.is_ok() || good.contains("ud800"), "{good}");
        }
        for bad in [
            "",
            "01",
            "1.",
            "-",
            ".5",
            "1e",
            "+1",
            "[1,]",
            "[1 2]",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "{1:2}",
            "[}",
            "{]",
            "\"\\x\"",
            "\"\\u12\"",
            "\"a\nb\"",
            "\"open",
            "tru",
            "nul",
            "[1]]",
            "{}x",
            "NaN",
            "Infinity",
        ] {
            assert!(skip_all(bad).is_err(), "{bad:?}");
            assert!(
                serde_json::from_str::<serde_json::Value>(bad).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn nesting_is_limited_even_in_skipped_values() {
        let deep = format!("{}{}", "[".repeat(65), "]".repeat(65));
        assert!(skip_all(&deep).unwrap_err().contains("deeper than 64"));
        let fine = format!("{}{}", "[".repeat(64), "]".repeat(64));
        assert_eq!(skip_all(&fine), Ok(()));
        let brackets_in_strings = format!("[\"{}\"]", "[".repeat(1000));
        assert_eq!(skip_all(&brackets_in_strings), Ok(()));
    }

    #[test]
    fn depth_is_given_back_when_an_array_or_object_ends() {
        // A hundred siblings at depth 2 under a limit of 2: each closes before the next opens.
        let arrays = format!("[{}]", ["[]"; 100].join(","));
        let mut reader = Reader::new(&arrays, 2);
        assert_eq!(reader.array(|r| r.array(|r| r.skip())), Ok(()));
        let objects = format!("[{}]", ["{}"; 100].join(","));
        let mut reader = Reader::new(&objects, 2);
        assert_eq!(reader.array(|r| r.object(|r, _| r.skip())), Ok(()));
    }

    /// Reads each element of an array with `read`, keeping every result (errors included).
    fn elements<'a, T>(
        text: &'a str,
        read: impl Fn(&mut Reader<'a>) -> Result<T, Error>,
    ) -> Vec<Result<T, Error>> {
        let mut results = Vec::new();
        Reader::new(text, 4)
            .array(|r| {
                results.push(read(r));
                Ok(())
            })
            .expect("a well-formed array");
        results
    }

    #[test]
    fn strings_borrow_unless_escaped_and_decode_escapes() {
        let strings = elements(
            r#"["plain","tab\tand \u00e9 \ud83d\ude00"]"#,
            Reader::string,
        );
        assert!(matches!(strings[0], Ok(Cow::Borrowed("plain"))));
        assert_eq!(strings[1].as_deref(), Ok("tab\tand é 😀"));
        let simple = elements(r#"["\"\\\/\b\f\n\r\t"]"#, Reader::string);
        assert_eq!(simple[0].as_deref(), Ok("\"\\/\u{8}\u{c}\n\r\t"));
        for (bad, why) in [
            (r#""\ud800""#, "lone leading surrogate"),
            (r#""\ud800\u0041""#, "lone leading surrogate"),
            // A low surrogate's digits after something other than `\u` are not its pair.
            (r#""\ud800\ndc00""#, "lone leading surrogate"),
            (r#""\ud800xudc00""#, "lone leading surrogate"),
            (r#""\udc00""#, "lone trailing surrogate"),
            (r#""\x""#, "invalid escape"),
            (r#""\'""#, "invalid escape"),
        ] {
            let error = Reader::new(bad, 4).string().unwrap_err();
            assert!(error.contains(why), "{bad}: {error}");
        }
    }

    #[test]
    fn loose_values_match_what_serde_reads() {
        let text = r#"[null,true,"x",7,-7,18446744073709551615,1.5,1e400,{"a":[1,{"b":2}]},[3]]"#;
        let values = elements(text, Reader::loose);
        assert_eq!(values.len(), 10);
        assert_eq!(values[0], Ok(None));
        assert_eq!(values[1], Ok(Some(Loose::Bool(true))));
        assert_eq!(values[2], Ok(Some(Loose::Str(Cow::Borrowed("x")))));
        assert_eq!(values[3], Ok(Some(Loose::Int(7))));
        assert_eq!(values[4], Ok(Some(Loose::Int(-7))));
        assert_eq!(values[5], Ok(Some(Loose::UInt(u64::MAX))));
        assert_eq!(values[6], Ok(Some(Loose::Float(1.5))));
        assert!(values[7].as_ref().unwrap_err().contains("out of range"));
        assert_eq!(values[8], Ok(Some(Loose::Composite)));
        assert_eq!(values[9], Ok(Some(Loose::Composite)));
        let edges = elements(
            "[-9223372036854775808,-9223372036854775809,9223372036854775807,9223372036854775808,-0,0]",
            Reader::loose,
        );
        assert_eq!(edges[0], Ok(Some(Loose::Int(i64::MIN))));
        assert_eq!(edges[1], Ok(Some(Loose::Float(-9223372036854775809.0))));
        assert_eq!(edges[2], Ok(Some(Loose::Int(i64::MAX))));
        assert_eq!(edges[3], Ok(Some(Loose::UInt(1 << 63))));
        assert_eq!(edges[4], Ok(Some(Loose::Int(0))));
        assert_eq!(edges[5], Ok(Some(Loose::Int(0))));
    }
}
