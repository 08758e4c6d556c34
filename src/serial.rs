//! Hardware serial numbers as lookup keys: validation and the placeholder values firmware leaves behind.

use crate::error::ConnectorError;
use crate::value::Value;

/// The longest serial the connector accepts; real serials are 7 to 40 characters.
pub const MAX_SERIAL_CHARS: usize = 128;

/// Filler that unprogrammed firmware reports on every unit of a model, compared case-insensitively.
///
/// A serial from this list identifies a model, not a device, so it can never be trusted as an identity.
pub const PLACEHOLDER_SERIALS: &[&str] = &[
    "to be filled by o.e.m.",
    "to be filled by oem",
    "default string",
    "system serial number",
    "chassis serial number",
    "base board serial number",
    "baseboard serial number",
    "serial number",
    "serialnumber",
    "not specified",
    "not applicable",
    "not available",
    "none",
    "n/a",
    "na",
    "null",
    "unknown",
    "invalid",
    "default",
    "oem",
    "0",
    "0123456789",
    "123456789",
    "1234567890",
    "12345678",
    "00000000",
    "31415926",
    "xxxxxxxxxx",
];

/// Whether `serial` is a known firmware placeholder (or all zeros) rather than a device identity.
pub fn is_placeholder(serial: &str) -> bool {
    let trimmed = serial.trim();
    (!trimmed.is_empty() && trimmed.bytes().all(|b| b == b'0'))
        || PLACEHOLDER_SERIALS
            .iter()
            .any(|p| p.eq_ignore_ascii_case(trimmed))
}

/// Checks that `raw` is a usable serial number and returns it with surrounding whitespace trimmed.
///
/// Placeholders are not refused here: each capability decides what a placeholder means for it.
pub fn validate(raw: Option<&Value>) -> Result<&str, ConnectorError> {
    let invalid = |m: &str| ConnectorError::InvalidInput(m.to_owned());
    let raw = match raw {
        None | Some(Value::Null) => return Err(invalid("serialNumber is required")),
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(invalid("serialNumber must be a string")),
    };
    let serial = raw.trim();
    if serial.is_empty() {
        return Err(invalid("serialNumber is empty"));
    }
    if serial.chars().any(char::is_control) {
        return Err(invalid("serialNumber contains control characters"));
    }
    // Characters are the bytes that do not continue one: core's `chars().count()` is 0.8 KB of .wasm.
    let chars = serial.bytes().filter(|b| (*b as i8) >= -0x40).count();
    if chars > MAX_SERIAL_CHARS {
        return Err(invalid(&format!(
            "serialNumber is {chars} characters long; at most {MAX_SERIAL_CHARS} are accepted"
        )));
    }
    if chars < 2 {
        // The API's serialNumber__contains filter refuses values shorter than 2 characters.
        return Err(invalid("serialNumber must be at least 2 characters long"));
    }
    Ok(serial)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::json;

    #[test]
    fn trims_and_keeps_everything_else() {
        let v = json!("  C02 X+Y#1,z  ");
        assert_eq!(validate(Some(&v)).unwrap(), "C02 X+Y#1,z");
        let v = json!("VM5vodACsc+k");
        assert_eq!(validate(Some(&v)).unwrap(), "VM5vodACsc+k");
    }

    #[test]
    fn refuses_what_cannot_identify_a_device() {
        let long = "A".repeat(129);
        for (value, why) in [
            (None, "required"),
            (Some(json!(null)), "required"),
            (Some(json!(12345)), "must be a string"),
            (Some(json!(["C02"])), "must be a string"),
            (Some(json!("")), "empty"),
            (Some(json!(" \t ")), "empty"),
            (Some(json!("C02\u{0}X")), "control"),
            (Some(json!("C02\nX")), "control"),
            (Some(json!(long)), "129 characters"),
            (Some(json!("A")), "at least 2"),
        ] {
            let err = validate(value.as_ref()).unwrap_err();
            assert_eq!(err.code(), "INVALID_INPUT");
            assert!(err.to_string().contains(why), "{value:?}: {err}");
        }
        assert!(validate(Some(&json!("A".repeat(128)))).is_ok());
        // The shortest the API's `serialNumber__contains` takes: two characters, however wide.
        assert_eq!(validate(Some(&json!(" AB "))).unwrap(), "AB");
        assert_eq!(validate(Some(&json!("é😀"))).unwrap(), "é😀");
        // Characters, not bytes: two-, three- and four-byte ones count once each.
        for wide in ["é", "€", "😀"] {
            assert!(validate(Some(&json!(wide.repeat(128)))).is_ok(), "{wide}");
            let err = validate(Some(&json!(wide.repeat(129)))).unwrap_err();
            assert!(err.to_string().contains("129 characters"), "{err}");
            let err = validate(Some(&json!(wide))).unwrap_err();
            assert!(err.to_string().contains("at least 2"), "{err}");
        }
    }

    #[test]
    fn knows_placeholders_in_any_case() {
        for p in [
            "To be filled by O.E.M.",
            "TO BE FILLED BY O.E.M.",
            "Default string",
            "System Serial Number",
            "Not Specified",
            "None",
            "N/A",
            "0",
            "0123456789",
            "123456789",
            "00000000",
            "000000000000",
            "Chassis Serial Number",
            "Invalid",
            " invalid ",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for real in [
            "C02XK1ABJG5J",
            "FS6V1B3",
            "VMware-56 4d fa 72",
            "01234567890",
            "N/A1",
        ] {
            assert!(!is_placeholder(real), "{real}");
        }
    }
}
