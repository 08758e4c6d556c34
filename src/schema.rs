//! The declared contract: the connector manifest with every schema from `schema/` resolved into it.

/// The manifest as JSON text, with the connection, input, output and error schemas inlined.
pub const MANIFEST_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/manifest.json"));

/// The manifest as the module embeds it: every repeated subtree replaced by a placeholder string
/// `"\u0000N"` standing for part N of [`MANIFEST_PARTS_JSON`] (see `build.rs`).
pub const MANIFEST_MAIN_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/manifest_main.json"));

/// The parts [`MANIFEST_MAIN_JSON`]'s placeholders stand for, as a JSON array (with placeholders too).
pub const MANIFEST_PARTS_JSON: &str =
    include_str!(concat!(env!("OUT_DIR"), "/manifest_parts.json"));
