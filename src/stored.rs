//! The snapshots a sync continues from (`input.resumeFrom`, `input.previous`), read from a JSON tree
//! or straight from the text of the input. From text, `serials` go entry by entry into the snapshot's
//! map: for 100,000 serials the JSON tree was ~540 bytes a serial, the snapshot ~160, and WebAssembly
//! memory keeps its peak.

use std::collections::BTreeMap;

use crate::error::ConnectorError;
use crate::json::{Error, Reader, MAX_VALUE_DEPTH};
use crate::json_writer::to_json_string;
use crate::sync::{read_entry, SerialEntry, Snapshot, SNAPSHOT_VERSION};
use crate::value::{Object, Value};

/// A Sync Agents input with its stored snapshots read.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncInput {
    /// The input without `resumeFrom` and `previous` (its rules and filters).
    pub rest: Value,
    /// `resumeFrom`: the partial snapshot to resume, none, or why it is not one.
    pub resume_from: Result<Option<Snapshot>, ConnectorError>,
    /// `previous`: the snapshot to sync incrementally from, none, or why it is not one.
    pub previous: Result<Option<Snapshot>, ConnectorError>,
}

impl SyncInput {
    /// Reads an input tree, as a native host or `invoke` gives it: written as text and read as
    /// [`SyncInput::read`] reads it, so that the two ways read alike.
    pub fn from_value(input: &Value) -> Self {
        let text = to_json_string(input);
        let mut reader = Reader::new(&text, MAX_VALUE_DEPTH);
        SyncInput::read(&mut reader).unwrap_or_else(|e| Self {
            rest: input.clone(),
            resume_from: Ok(None),
            // Only a tree nested deeper than a host's input may be is not read back.
            previous: Err(ConnectorError::InvalidInput(format!(
                "input cannot be read: {e}"
            ))),
        })
    }

    /// Reads the input the reader is at, each stored snapshot's `serials` straight into its map.
    /// `Err` only when the text is not JSON.
    pub fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        let mut input = Self {
            rest: Value::Null,
            resume_from: Ok(None),
            previous: Ok(None),
        };
        if !r.at_object() {
            input.rest = r.value()?;
            return Ok(input);
        }
        let mut rest = Vec::new();
        // Of a name given twice, the last counts, as in a tree (`Object::get`).
        r.object(|r, name| {
            match &*name {
                "resumeFrom" => input.resume_from = read_stored(r, "resumeFrom")?,
                "previous" => input.previous = read_stored(r, "previous")?,
                _ => rest.push((name.into_owned(), r.value()?)),
            }
            Ok(())
        })?;
        input.rest = Value::Object(Object::from_members(rest));
        Ok(input)
    }
}

/// Reads a whole JSON text as a snapshot.
pub(crate) fn snapshot_from_text(text: &str) -> Result<Snapshot, String> {
    let mut reader = Reader::new(text, MAX_VALUE_DEPTH);
    let snapshot = read_snapshot(&mut reader).map_err(|e| e.to_string())?;
    reader.end().map_err(|e| e.to_string())?;
    snapshot
}

/// A stored snapshot at the reader as the sync takes it: `null` is none, and it must be one this
/// connector wrote. `Err` only when the text is not JSON.
fn read_stored(
    r: &mut Reader<'_>,
    name: &str,
) -> Result<Result<Option<Snapshot>, ConnectorError>, Error> {
    if r.null()? {
        return Ok(Ok(None));
    }
    let snapshot = match read_snapshot(r)? {
        Ok(snapshot) => snapshot,
        Err(e) => {
            let why = format!("{name} is not a snapshot: {e}");
            return Ok(Err(ConnectorError::InvalidInput(why)));
        }
    };
    if snapshot.version != SNAPSHOT_VERSION {
        return Ok(Err(ConnectorError::InvalidInput(format!(
            "{name} has snapshot version {}; this connector reads version {SNAPSHOT_VERSION}",
            snapshot.version
        ))));
    }
    Ok(Ok(Some(snapshot)))
}

/// A snapshot at the reader: its members into a tree, but `serials` into the map, entry by entry.
fn read_snapshot(r: &mut Reader<'_>) -> Result<Result<Snapshot, String>, Error> {
    if !r.at_object() {
        return Ok(Snapshot::from_parts(&r.value()?, None));
    }
    let mut members = Vec::new();
    let mut entries = None;
    r.object(|r, member| {
        if &*member == "serials" && r.at_object() {
            entries = Some(read_entries(r)?);
            // Stands for the object read into `entries`, where `Snapshot::from_parts` expects it.
            members.push((member.into_owned(), Value::Object(Object::default())));
        } else {
            members.push((member.into_owned(), r.value()?));
        }
        Ok(())
    })?;
    Ok(Snapshot::from_parts(
        &Value::Object(Object::from_members(members)),
        entries,
    ))
}

/// A snapshot's `serials` at the reader, entry by entry; the first entry that is not one is the error.
fn read_entries(
    r: &mut Reader<'_>,
) -> Result<Result<BTreeMap<String, SerialEntry>, String>, Error> {
    let mut entries = BTreeMap::new();
    let mut error = None;
    r.object(|r, serial| {
        let entry = r.value()?;
        if error.is_none() {
            match read_entry(&serial, &entry) {
                Ok(entry) => {
                    entries.insert(serial.into_owned(), entry);
                }
                Err(why) => error = Some(why),
            }
        }
        Ok(())
    })?;
    Ok(error.map_or(Ok(entries), Err))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse_value;

    fn read(text: &str) -> SyncInput {
        let mut reader = Reader::new(text, MAX_VALUE_DEPTH);
        let input = SyncInput::read(&mut reader).expect("JSON");
        reader.end().expect("one value");
        // A tree reads as its text does.
        assert_eq!(SyncInput::from_value(&parse_value(text).unwrap()), input);
        input
    }

    fn not_a_snapshot(why: &str) -> Result<Option<Snapshot>, ConnectorError> {
        Err(ConnectorError::InvalidInput(why.into()))
    }

    #[test]
    fn stored_snapshots_are_taken_out_of_the_input() {
        let input =
            read(r#"{"osTypes":["macos"],"previous":null,"rules":{"maxInactiveMinutes":5}}"#);
        assert_eq!(
            input.rest,
            parse_value(r#"{"osTypes":["macos"],"rules":{"maxInactiveMinutes":5}}"#).unwrap()
        );
        assert_eq!((input.previous, input.resume_from), (Ok(None), Ok(None)));

        let input = read(r#"{"previous":42,"resumeFrom":{"serials":{}}}"#);
        assert_eq!(input.rest, parse_value("{}").unwrap());
        let why = "previous is not a snapshot: a snapshot is a JSON object";
        assert_eq!(input.previous, not_a_snapshot(why));
        let why = "resumeFrom is not a snapshot: missing field `version`";
        assert_eq!(input.resume_from, not_a_snapshot(why));
    }

    #[test]
    fn of_a_snapshot_given_twice_the_last_counts() {
        assert_eq!(
            read(r#"{"previous":42,"previous":null}"#).previous,
            Ok(None)
        );
        let why = "previous is not a snapshot: a snapshot is a JSON object";
        assert_eq!(
            read(r#"{"previous":null,"previous":[]}"#).previous,
            not_a_snapshot(why)
        );
    }

    #[test]
    fn an_input_that_is_not_an_object_is_left_for_the_sync_to_refuse() {
        let input = read("[1]");
        assert_eq!(input.rest, parse_value("[1]").unwrap());
        assert_eq!((input.previous, input.resume_from), (Ok(None), Ok(None)));
    }
}
