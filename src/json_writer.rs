//! JSON text written by hand for what crosses to the host (outputs, snapshots, the driver's effects):
//! serde's generic serializer cost more code and more time per call than the output is worth.

use std::collections::BTreeMap;

/// A value that writes itself as JSON text.
pub trait WriteJson {
    /// Appends this value as JSON to `out`.
    fn write_json(&self, out: &mut JsonWriter);
}

/// The JSON text of `value`.
pub fn to_json_string<T: WriteJson + ?Sized>(value: &T) -> String {
    // Outputs and effect lists are a few hundred bytes: one allocation instead of several regrowths.
    let mut out = JsonWriter::with_capacity(512);
    value.write_json(&mut out);
    out.finish()
}

/// `text` as a JSON string literal: how a message quotes a value (`Debug` would link Unicode tables).
pub fn quoted(text: &str) -> String {
    to_json_string(text)
}

/// JSON text being written; commas are placed by looking at what came last.
#[derive(Default)]
pub struct JsonWriter {
    text: String,
}

impl JsonWriter {
    /// A writer with room for `bytes` of text before it grows.
    pub fn with_capacity(bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
        }
    }

    /// The text written so far.
    pub fn finish(self) -> String {
        self.text
    }

    /// Starts an object; write its members with [`JsonWriter::field`] or [`JsonWriter::key`].
    pub fn begin_object(&mut self) {
        self.text.push('{');
    }

    /// Ends the object begun last.
    pub fn end_object(&mut self) {
        self.text.push('}');
    }

    /// Starts an array; write its items with [`JsonWriter::item`].
    pub fn begin_array(&mut self) {
        self.text.push('[');
    }

    /// Ends the array begun last.
    pub fn end_array(&mut self) {
        self.text.push(']');
    }

    /// Writes the key of a member whose name is a plain identifier (nothing to escape); its value comes next.
    pub fn key(&mut self, name: &'static str) {
        debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric()), "{name}");
        self.separate();
        self.text.push('"');
        self.text.push_str(name);
        self.text.push_str("\":");
    }

    /// Writes a member whose name is a plain identifier (see [`JsonWriter::key`]).
    pub fn field<T: WriteJson + ?Sized>(&mut self, name: &'static str, value: &T) {
        self.key(name);
        value.write_json(self);
    }

    /// Writes a member whose name is data (a map key), escaped.
    pub fn entry<T: WriteJson + ?Sized>(&mut self, name: &str, value: &T) {
        self.separate();
        self.string(name);
        self.text.push(':');
        value.write_json(self);
    }

    /// Writes an array item.
    pub fn item<T: WriteJson + ?Sized>(&mut self, value: &T) {
        self.separate();
        value.write_json(self);
    }

    /// Writes `null`.
    pub fn null(&mut self) {
        self.text.push_str("null");
    }

    /// Writes a JSON string, escaped as `JSON.stringify` escapes it.
    pub fn string(&mut self, text: &str) {
        self.text.reserve(text.len() + 2);
        self.text.push('"');
        let bytes = text.as_bytes();
        let mut run_start = 0;
        for (at, &byte) in bytes.iter().enumerate() {
            if byte >= 0x20 && byte != b'"' && byte != b'\\' {
                continue;
            }
            let escape = match byte {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                _ => "",
            };
            // Escaped bytes are ASCII, so `run_start..at` always falls on character boundaries.
            self.text
                .push_str(text.get(run_start..at).unwrap_or_default());
            if escape.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let hex = [
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 0xf)],
                ];
                self.text
                    .push_str(std::str::from_utf8(&hex).unwrap_or_default());
            } else {
                self.text.push_str(escape);
            }
            run_start = at + 1;
        }
        self.text
            .push_str(text.get(run_start..).unwrap_or_default());
        self.text.push('"');
    }

    /// Writes an unsigned integer.
    pub fn unsigned(&mut self, mut n: u64) {
        // Digits by hand: `Display` goes through core's formatter, slower and bigger in the .wasm.
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.text
            .push_str(std::str::from_utf8(&digits[start..]).unwrap_or_default());
    }

    /// Writes text that is already JSON.
    pub fn raw(&mut self, json: &str) {
        self.text.push_str(json);
    }

    fn separate(&mut self) {
        if !matches!(self.text.as_bytes().last(), Some(b'{' | b'[') | None) {
            self.text.push(',');
        }
    }
}

impl WriteJson for str {
    fn write_json(&self, out: &mut JsonWriter) {
        out.string(self);
    }
}

impl WriteJson for String {
    fn write_json(&self, out: &mut JsonWriter) {
        out.string(self);
    }
}

impl WriteJson for bool {
    fn write_json(&self, out: &mut JsonWriter) {
        out.raw(if *self { "true" } else { "false" });
    }
}

macro_rules! write_integer {
    ($($t:ty),*) => {$(
        impl WriteJson for $t {
            fn write_json(&self, out: &mut JsonWriter) {
                out.unsigned(u64::from(*self));
            }
        }
    )*};
}
write_integer!(u16, u32, u64);

impl<T: WriteJson> WriteJson for Option<T> {
    fn write_json(&self, out: &mut JsonWriter) {
        match self {
            Some(value) => value.write_json(out),
            None => out.null(),
        }
    }
}

impl<T: WriteJson> WriteJson for [T] {
    fn write_json(&self, out: &mut JsonWriter) {
        out.begin_array();
        for item in self {
            out.item(item);
        }
        out.end_array();
    }
}

impl<T: WriteJson> WriteJson for Vec<T> {
    fn write_json(&self, out: &mut JsonWriter) {
        self.as_slice().write_json(out);
    }
}

impl<T: WriteJson> WriteJson for Box<[T]> {
    fn write_json(&self, out: &mut JsonWriter) {
        (**self).write_json(out);
    }
}

impl<T: WriteJson> WriteJson for BTreeMap<String, T> {
    fn write_json(&self, out: &mut JsonWriter) {
        out.begin_object();
        for (name, value) in self {
            out.entry(name, value);
        }
        out.end_object();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_like_json_stringify() {
        let cases = [
            ("plain", r#""plain""#),
            ("quote\" back\\slash", r#""quote\" back\\slash""#),
            ("\n\r\t\u{8}\u{c}", r#""\n\r\t\b\f""#),
            ("\u{0}\u{1f}x", r#""\u0000\u001fx""#),
            ("é✓😀 /", "\"é✓😀 /\""),
            ("", r#""""#),
        ];
        for (text, expected) in cases {
            assert_eq!(to_json_string(text), expected);
            assert_eq!(serde_json::from_str::<String>(expected).unwrap(), text);
        }
    }

    #[test]
    fn every_byte_below_0x80_round_trips() {
        let text: String = (0u8..0x80).map(char::from).collect();
        let written = to_json_string(text.as_str());
        assert_eq!(serde_json::from_str::<String>(&written).unwrap(), text);
        assert_eq!(written, serde_json::to_string(&text).unwrap());
    }

    #[test]
    fn an_escape_at_any_offset_is_written_like_serde_writes_it() {
        // Around the eight-byte steps of the run search, among multi-byte characters.
        for at in 0..20 {
            for special in ['"', '\\', '\n', '\u{0}', '\u{1f}', '\u{7f}', 'é'] {
                let mut text: String = "abcdéfgh€ijklmnopqrstuvwxyz".chars().take(at).collect();
                text.push(special);
                text.push_str("tail\"end");
                assert_eq!(
                    to_json_string(text.as_str()),
                    serde_json::to_string(&text).unwrap(),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn values_round_trip_with_commas_in_place() {
        let expected = serde_json::json!({
            "a": [1, -2, 2.5, 0.001, null, true, false, "s", [], {}],
            "b": { "nested": { "deep": [[], [{}]] }, "u": 18446744073709551615u64 },
            "": ""
        });
        let value = crate::value::from_serde(&expected);
        let written = to_json_string(&value);
        assert_eq!(crate::json::parse_value(&written).unwrap(), value);
        assert_eq!(written, expected.to_string());
    }

    #[test]
    fn options_sequences_and_maps() {
        let mut map = BTreeMap::new();
        map.insert("x".to_owned(), vec![Some(1u64), None]);
        map.insert("y".to_owned(), vec![]);
        assert_eq!(to_json_string(&map), r#"{"x":[1,null],"y":[]}"#);
        assert_eq!(to_json_string(&Some(true)), "true");
        assert_eq!(to_json_string(&None::<u16>), "null");
        assert_eq!(to_json_string(&u64::MAX), "18446744073709551615");
    }
}
