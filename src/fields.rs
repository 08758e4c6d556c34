//! Typed reads out of a JSON tree (a host's input, a snapshot handed back), each failure a sentence
//! naming the member, and building the small trees checks carry. Hand-written rather than serde-derived
//! or `json!`: serde's machinery was a large share of the .wasm.

use crate::value::{Object, Value};

/// The members of one JSON object, read by name.
#[derive(Clone, Copy)]
pub struct Fields<'v>(&'v Object);

impl<'v> Fields<'v> {
    /// The members of `value`, or `None` when it is not an object.
    pub fn of(value: &'v Value) -> Option<Self> {
        value.as_object().map(Self)
    }

    /// A member's value; `None` when it is missing or `null`.
    pub fn get(self, name: &str) -> Option<&'v Value> {
        self.0.get(name).filter(|value| !value.is_null())
    }

    /// A member that must be there, read by `read` (`None` from `read` means the wrong type).
    pub fn required<T>(
        self,
        name: &str,
        read: impl FnOnce(&'v Value) -> Option<T>,
    ) -> Result<T, String> {
        match self.0.get(name) {
            None => Err(missing(name)),
            Some(value) => read(value).ok_or_else(|| invalid(name)),
        }
    }

    /// A member that may be missing or `null`, read by `read` otherwise.
    pub fn optional<T>(
        self,
        name: &str,
        read: impl FnOnce(&'v Value) -> Option<T>,
    ) -> Result<Option<T>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => read(value).map(Some).ok_or_else(|| invalid(name)),
        }
    }
}

// Out of line: `required` and `optional` are instantiated once per field type and reader, and each
// copy of these `format!`s was a few hundred bytes of .wasm.
#[inline(never)]
fn missing(name: &str) -> String {
    format!("missing field `{name}`")
}

#[inline(never)]
fn invalid(name: &str) -> String {
    format!("invalid value for `{name}`")
}

/// A JSON string.
pub fn string(value: &Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

/// A JSON boolean.
pub fn boolean(value: &Value) -> Option<bool> {
    value.as_bool()
}

/// A JSON integer from 0 to `u64::MAX`.
pub fn unsigned(value: &Value) -> Option<u64> {
    value.as_u64()
}

/// A JSON integer from 0 to `u32::MAX`.
pub fn unsigned32(value: &Value) -> Option<u32> {
    value.as_u64().and_then(|n| u32::try_from(n).ok())
}

/// Any JSON value, `null` included.
pub fn any(value: &Value) -> Option<Value> {
    Some(value.clone())
}

/// A JSON object of the given members, in order.
pub fn object(members: Vec<(&str, Value)>) -> Value {
    Value::Object(Object::from_members(
        members
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::json;

    #[test]
    fn required_optional_and_typed_reads() {
        let v = json!({ "s": "x", "n": 7, "big": 5_000_000_000u64, "null": null, "b": true,
                        "list": [1, 2], "bad": [1, "2"], "m": { "a": 1 } });
        let f = Fields::of(&v).unwrap();
        assert_eq!(f.required("s", string), Ok("x".to_owned()));
        assert_eq!(f.required("n", unsigned32), Ok(7));
        assert_eq!(
            f.required("big", unsigned32),
            Err("invalid value for `big`".to_owned())
        );
        assert_eq!(
            f.required("gone", string),
            Err("missing field `gone`".to_owned())
        );
        assert_eq!(f.required("null", any), Ok(Value::Null));
        assert_eq!(f.optional("null", string), Ok(None));
        assert_eq!(f.optional("gone", boolean), Ok(None));
        assert_eq!(f.optional("b", boolean), Ok(Some(true)));
        assert!(f.optional("s", boolean).is_err());
        assert!(Fields::of(&json!([1])).is_none());
    }
}
