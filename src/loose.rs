//! A JSON scalar read leniently, the way real consoles write them (`"True"`, `"10"`, numbers for strings).

use std::borrow::Cow;

use crate::value::Number;

/// Any JSON value, kept as a scalar where it is one; objects and arrays are skipped without allocating.
#[derive(Clone, Debug, PartialEq)]
pub enum Loose<'a> {
    /// JSON `null`.
    Null,
    /// A JSON boolean.
    Bool(bool),
    /// A JSON integer that fits `i64` (negative or small).
    Int(i64),
    /// A JSON integer above `i64::MAX`.
    UInt(u64),
    /// A JSON number with a fraction or exponent.
    Float(f64),
    /// A JSON string, borrowed from the body when it had no escapes.
    Str(Cow<'a, str>),
    /// A JSON object or array.
    Composite,
}

impl<'a> Loose<'a> {
    /// The value as a boolean: `true`, `"True"`, `"true"`, `1` and `"1"` are true; their opposites false.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            Self::Int(0) => Some(false),
            Self::Int(1) => Some(true),
            Self::Str(s) => {
                let s = s.trim();
                if s.eq_ignore_ascii_case("true") || s == "1" {
                    Some(true)
                } else if s.eq_ignore_ascii_case("false") || s == "0" {
                    Some(false)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// The value as a non-negative integer: numbers and numeric strings such as `"10"`.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Int(i) => u64::try_from(*i).ok(),
            Self::UInt(u) => Some(*u),
            Self::Float(f) if f.fract() == 0.0 && *f >= 0.0 && *f <= 9.0e15 => Some(*f as u64),
            Self::Str(s) => parse_u64(s.trim()),
            _ => None,
        }
    }

    /// The value as text: strings as they are, numbers and booleans written out; null and composites are `None`.
    pub fn to_text(&self) -> Option<Cow<'a, str>> {
        match self {
            Self::Str(s) => Some(s.clone()),
            Self::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            Self::Int(i) => Some(Cow::Owned(i.to_string())),
            Self::UInt(u) => Some(Cow::Owned(u.to_string())),
            Self::Float(f) => Some(Cow::Owned(Number::Float(*f).to_text())),
            Self::Null | Self::Composite => None,
        }
    }

    /// The value as a borrowed string, only when it is a JSON string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Reads an optional loose field: a missing key and `null` are both `None`.
pub fn text(field: &Option<Loose<'_>>) -> Option<String> {
    field.as_ref().and_then(Loose::to_text).map(Cow::into_owned)
}

/// Reads an optional loose field as a boolean.
pub fn boolean(field: &Option<Loose<'_>>) -> Option<bool> {
    field.as_ref().and_then(Loose::as_bool)
}

/// Reads an optional loose field as a non-negative integer.
pub fn count(field: &Option<Loose<'_>>) -> Option<u64> {
    field.as_ref().and_then(Loose::as_u64)
}

/// A decimal integer's text as `str::parse::<u64>` reads it (an optional `+`, then digits), for every
/// integer the connector reads: one small loop instead of core's parser for each integer type.
pub fn parse_u64(text: &str) -> Option<u64> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() {
        return None;
    }
    digits.bytes().try_fold(0u64, |value, byte| {
        let digit = byte.wrapping_sub(b'0');
        (digit < 10).then_some(())?;
        value.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Reader;

    fn read(json: &str) -> Result<Loose<'_>, String> {
        let mut reader = Reader::new(json, 64);
        let value = reader.loose()?.unwrap_or(Loose::Null);
        reader.end()?;
        Ok(value)
    }

    fn loose(json: &str) -> Loose<'_> {
        read(json).unwrap()
    }

    #[test]
    fn integers_read_as_core_reads_them() {
        for text in [
            "0",
            "7",
            "+7",
            "007",
            "18446744073709551615",
            "18446744073709551616",
            "",
            "+",
            "-1",
            "1.0",
            " 1",
            "1 ",
            "12a",
            // The bytes just past '9' and just before '0'.
            "1:",
            "/1",
            "+-1",
            "99999999999999999999",
        ] {
            assert_eq!(parse_u64(text), text.parse::<u64>().ok(), "{text:?}");
        }
    }

    #[test]
    fn booleans_as_consoles_write_them() {
        for (json, expected) in [
            ("true", Some(true)),
            ("false", Some(false)),
            ("\"True\"", Some(true)),
            ("\"FALSE\"", Some(false)),
            ("\" true \"", Some(true)),
            ("1", Some(true)),
            ("0", Some(false)),
            ("\"0\"", Some(false)),
            ("2", None),
            ("\"yes please\"", None),
            ("null", None),
            ("{}", None),
        ] {
            assert_eq!(loose(json).as_bool(), expected, "{json}");
        }
    }

    #[test]
    fn counts_from_numbers_and_strings() {
        for (json, expected) in [
            ("0", Some(0)),
            ("7", Some(7)),
            ("\"10\"", Some(10)),
            ("7.0", Some(7)),
            ("7.5", None),
            ("-1", None),
            ("18446744073709551615", Some(u64::MAX)),
            ("1e400", None),
            ("\"many\"", None),
            ("[1]", None),
        ] {
            assert_eq!(read(json).ok().and_then(|v| v.as_u64()), expected, "{json}");
        }
    }

    #[test]
    fn text_borrows_plain_strings_and_writes_out_numbers() {
        let body = r#"["FS6V1B3", "a\"b", 12345, true, null, {"x": [1, 2]}]"#;
        let mut values = Vec::new();
        Reader::new(body, 64)
            .array(|r| {
                values.push(r.loose()?.unwrap_or(Loose::Null));
                Ok(())
            })
            .unwrap();
        assert!(matches!(values[0], Loose::Str(Cow::Borrowed("FS6V1B3"))));
        assert_eq!(values[1].to_text().as_deref(), Some("a\"b"));
        assert_eq!(values[2].to_text().as_deref(), Some("12345"));
        assert_eq!(values[3].to_text().as_deref(), Some("true"));
        assert_eq!(values[4].to_text(), None);
        assert_eq!(values[5], Loose::Composite);
        assert_eq!(values[2].as_str(), None);
    }
}
