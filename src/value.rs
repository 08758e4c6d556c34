//! A JSON tree: what hosts hand in (connection properties, inputs, options, stored snapshots) and
//! the small values trust checks carry. Objects are member lists in the order written, not maps:
//! they are small or only walked, and a map type per tree cost the .wasm kilobytes of tree code.

use crate::json_writer::{JsonWriter, WriteJson};

/// Any JSON value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Object),
}

/// A JSON number as read: integers exactly, others as the nearest `f64`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// An integer from 0 to `u64::MAX`.
    Unsigned(u64),
    /// A negative integer from `i64::MIN`.
    Negative(i64),
    /// A finite number with a fraction or exponent, or an integer out of the ranges above.
    Float(f64),
}

/// A JSON object's members in the order written; of a name given twice, [`Object::get`] finds the
/// last, as `JSON.parse` keeps it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object(Vec<(String, Value)>);

impl Object {
    /// An object of these members, in this order.
    pub fn from_members(members: Vec<(String, Value)>) -> Self {
        Self(members)
    }

    /// The value of the member `name` (the last one, when the name is given twice).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Moves the value of the member `name` out (the last one, as [`Object::get`] finds), leaving null.
    pub fn take(&mut self, name: &str) -> Option<Value> {
        let (_, value) = self.0.iter_mut().rev().find(|(n, _)| n == name)?;
        Some(std::mem::replace(value, Value::Null))
    }

    /// Every member in the order written.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().map(|(n, v)| (n, v))
    }

    /// Every member in the order written, to change in place.
    pub fn members_mut(&mut self) -> impl Iterator<Item = (&mut String, &mut Value)> {
        self.0.iter_mut().map(|(n, v)| (n, v))
    }

    /// How many members were written.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the object has no member.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'o> IntoIterator for &'o Object {
    type Item = (&'o String, &'o Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'o, (String, Value)>,
        fn(&'o (String, Value)) -> (&'o String, &'o Value),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(n, v)| (n, v))
    }
}

impl Number {
    /// The number as `u64` when it is an integer in range.
    pub fn as_u64(self) -> Option<u64> {
        match self {
            Self::Unsigned(u) => Some(u),
            _ => None,
        }
    }

    /// The number as `i64` when it is an integer in range.
    pub fn as_i64(self) -> Option<i64> {
        match self {
            Self::Unsigned(u) => i64::try_from(u).ok(),
            Self::Negative(i) => Some(i),
            Self::Float(_) => None,
        }
    }

    /// The number as the nearest `f64`.
    pub fn as_f64(self) -> f64 {
        match self {
            Self::Unsigned(u) => u as f64,
            Self::Negative(i) => i as f64,
            Self::Float(f) => f,
        }
    }

    /// The number as JSON text: integers exactly, others shortest (`ryu`; core's float `Display`
    /// would add ~15 KB to the .wasm).
    pub fn to_text(self) -> String {
        match self {
            Self::Unsigned(u) => u.to_string(),
            Self::Negative(i) => i.to_string(),
            Self::Float(f) if f.is_finite() => ryu::Buffer::new().format_finite(f).to_owned(),
            // Never built (readers refuse non-finite numbers); JSON has no text for them.
            Self::Float(_) => "null".to_owned(),
        }
    }
}

impl Value {
    /// The text, when this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, when this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The integer, when this is one from 0 to `u64::MAX`.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// The number as the nearest `f64`, when this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Number(n) => Some(n.as_f64()),
            _ => None,
        }
    }

    /// The items, when this is an array.
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Self::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members, when this is an object.
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Self::Object(members) => Some(members),
            _ => None,
        }
    }

    /// Whether this is an object.
    pub fn is_object(&self) -> bool {
        matches!(self, Self::Object(_))
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// The member `name`, when this is an object that has it.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.as_object().and_then(|members| members.get(name))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Self::String(text.to_owned())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Self::String(text)
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Self::Number(Number::Unsigned(n))
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Self {
        Self::from(u64::from(n))
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        match u64::try_from(n) {
            Ok(u) => Self::from(u),
            Err(_) => Self::Number(Number::Negative(n)),
        }
    }
}

impl From<f64> for Value {
    /// A finite `f64`; NaN and the infinities, which JSON cannot write, become `null`.
    fn from(n: f64) -> Self {
        if n.is_finite() {
            Self::Number(Number::Float(n))
        } else {
            Self::Null
        }
    }
}

impl<T: Clone + Into<Value>> From<&[T]> for Value {
    fn from(items: &[T]) -> Self {
        Self::Array(items.iter().cloned().map(Into::into).collect())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Into::into)
    }
}

impl WriteJson for Value {
    fn write_json(&self, out: &mut JsonWriter) {
        match self {
            Value::Null => out.null(),
            Value::Bool(b) => b.write_json(out),
            Value::Number(n) => n.write_json(out),
            Value::String(s) => out.string(s),
            Value::Array(items) => items.write_json(out),
            Value::Object(members) => {
                out.begin_object();
                for (name, value) in members {
                    out.entry(name, value);
                }
                out.end_object();
            }
        }
    }
}

impl WriteJson for Number {
    fn write_json(&self, out: &mut JsonWriter) {
        match *self {
            Number::Unsigned(u) => out.unsigned(u),
            n => out.raw(&n.to_text()),
        }
    }
}

/// `value` as this crate's tree, for tests that build inputs with `serde_json::json!`.
#[cfg(test)]
pub fn from_serde(value: &serde_json::Value) -> Value {
    crate::json::parse_value(&value.to_string()).expect("serde_json writes JSON")
}

/// `serde_json::json!` building this crate's tree, for unit tests.
#[cfg(test)]
macro_rules! json {
    ($($tree:tt)+) => {
        $crate::value::from_serde(&serde_json::json!($($tree)+))
    };
}
#[cfg(test)]
pub(crate) use json;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse_value;
    use crate::json_writer::to_json_string;

    #[test]
    fn reads_and_writes_every_kind_in_order() {
        let text = r#"{"b":[1,-2,2.5,0.001,null,true,false,"s",[],{}],"a":{"u":18446744073709551615,"n":-9223372036854775808},"":""}"#;
        let value = parse_value(text).unwrap();
        assert_eq!(
            to_json_string(&value),
            r#"{"b":[1,-2,2.5,0.001,null,true,false,"s",[],{}],"a":{"u":18446744073709551615,"n":-9223372036854775808},"":""}"#
        );
        let a = value.get("a").unwrap();
        assert_eq!(a.get("u").and_then(Value::as_u64), Some(u64::MAX));
        assert_eq!(a.get("n").and_then(Value::as_f64), Some(i64::MIN as f64));
        assert_eq!(value.as_object().map(Object::len), Some(3));
        assert_eq!(value.as_object().map(Object::is_empty), Some(false));
        let empty = parse_value("{}").unwrap();
        assert_eq!(empty.as_object().map(Object::is_empty), Some(true));
        assert!(value.is_object() && empty.is_object());
        assert!(!Value::Null.is_object() && !parse_value("[]").unwrap().is_object());
        assert_eq!(value.get("missing"), None);
        assert_eq!(Value::Null.get("a"), None);
    }

    #[test]
    fn a_name_given_twice_reads_as_the_last() {
        let value = parse_value(r#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(value.get("a").and_then(Value::as_u64), Some(3));
        assert_eq!(value.get("b").and_then(Value::as_u64), Some(2));
    }

    #[test]
    fn numbers_keep_their_kind() {
        assert_eq!(Value::from(5i64), Value::from(5u64));
        assert_eq!(Value::from(5u32), Value::from(5u64));
        assert_eq!(Value::from(-5i64).as_u64(), None);
        assert_eq!(Number::Negative(-5).as_i64(), Some(-5));
        assert_eq!(Number::Unsigned(u64::MAX).as_i64(), None);
        assert_eq!(Value::from(f64::NAN), Value::Null);
        assert_eq!(to_json_string(&Value::from(12.5)), "12.5");
        assert_eq!(to_json_string(&Value::from(12.0)), "12.0");
        assert_eq!(to_json_string(&Value::from(-3i64)), "-3");
        assert_eq!(Value::from(Some("x")), Value::from("x"));
        assert_eq!(Value::from(None::<bool>), Value::Null);
        assert_eq!(
            to_json_string(&Value::from(["a".to_owned()].as_slice())),
            r#"["a"]"#
        );
    }
}
