//! Resolves `schema/manifest.json`'s `$ref`s to its sibling schema files, so the module embeds one
//! self-contained manifest while `schema/` keeps one file per schema.

use std::path::Path;

use serde_json::Value;

fn main() {
    println!("cargo:rerun-if-changed=schema");
    let dir = Path::new("schema");
    let manifest = read(&dir.join("manifest.json"));
    let version = manifest["version"].as_str().unwrap_or_default();
    let crate_version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    assert_eq!(
        version, crate_version,
        "schema/manifest.json version must equal the crate version"
    );
    let resolved = resolve(manifest, dir);
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("manifest.json");
    std::fs::write(out, serde_json::to_string(&resolved).expect("serialise")).expect("write");
}

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn resolve(value: Value, dir: &Path) -> Value {
    match value {
        Value::Object(map) => {
            if let (1, Some(Value::String(target))) = (map.len(), map.get("$ref")) {
                if target.ends_with(".json") && !target.contains('/') {
                    return resolve(read(&dir.join(target)), dir);
                }
            }
            Value::Object(map.into_iter().map(|(k, v)| (k, resolve(v, dir))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(|v| resolve(v, dir)).collect()),
        other => other,
    }
}
