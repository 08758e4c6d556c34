//! A map of a handful of entries kept as a sorted list: a snapshot's filters and failure counts.
//! Each `BTreeMap` instantiation costs the .wasm several kilobytes of tree code; a short list does not.

use crate::value::Value;

use crate::json_writer::{JsonWriter, WriteJson};

/// Entries sorted by name, each name once; written as a JSON object.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pairs<V>(Vec<(String, V)>);

impl<V> Pairs<V> {
    /// The value under `name`.
    pub fn get(&self, name: &str) -> Option<&V> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The value under `name`, inserted as `V::default()` when missing.
    pub fn entry(&mut self, name: &str) -> &mut V
    where
        V: Default,
    {
        let at = match self.0.binary_search_by(|(n, _)| n.as_str().cmp(name)) {
            Ok(at) => at,
            Err(at) => {
                self.0.insert(at, (name.to_owned(), V::default()));
                at
            }
        };
        // `at` is in bounds: it was just found or inserted.
        &mut self.0[at].1
    }

    /// Sets `name` to `value`, replacing what was there.
    pub fn set(&mut self, name: &str, value: V)
    where
        V: Default,
    {
        *self.entry(name) = value;
    }

    /// Every entry, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// Reads a JSON object whose every member value `read` accepts.
    pub fn from_json(value: &Value, read: impl Fn(&Value) -> Option<V>) -> Option<Self>
    where
        V: Default,
    {
        let mut pairs = Self(Vec::new());
        for (name, member) in value.as_object()? {
            pairs.set(name, read(member)?);
        }
        Some(pairs)
    }
}

impl<V: WriteJson> WriteJson for Pairs<V> {
    fn write_json(&self, out: &mut JsonWriter) {
        out.begin_object();
        for (name, value) in &self.0 {
            out.entry(name, value);
        }
        out.end_object();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_by_name_each_name_once() {
        let mut p = Pairs::default();
        p.set("updatedAt__gt", "b".to_owned());
        p.set("osTypes", "a".to_owned());
        p.set("updatedAt__gt", "c".to_owned());
        let all: Vec<_> = p.iter().map(|(n, v)| (n, v.as_str())).collect();
        assert_eq!(all, [("osTypes", "a"), ("updatedAt__gt", "c")]);
        assert_eq!(p.get("osTypes").map(String::as_str), Some("a"));
        assert_eq!(p.get("none"), None);
        let mut counts: Pairs<u64> = Pairs::default();
        *counts.entry("x") += 1;
        *counts.entry("x") += 1;
        assert_eq!(counts.get("x"), Some(&2));
        assert_eq!(
            crate::json_writer::to_json_string(&p),
            r#"{"osTypes":"a","updatedAt__gt":"c"}"#
        );
        let back = Pairs::from_json(&crate::value::json!({"b": 2, "a": 1}), Value::as_u64).unwrap();
        assert_eq!(back.iter().map(|(n, _)| n).collect::<Vec<_>>(), ["a", "b"]);
        assert!(Pairs::from_json(&crate::value::json!({"a": "1"}), Value::as_u64).is_none());
        counts.clear();
        assert_eq!(counts.get("x"), None);
    }
}
