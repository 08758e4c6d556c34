//! The declared contract: the connector manifest with every schema from `schema/` resolved into it.

/// The manifest as JSON text, with the connection, input, output and error schemas inlined.
pub const MANIFEST_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/manifest.json"));
