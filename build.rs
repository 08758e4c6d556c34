//! Resolves `schema/manifest.json`'s `$ref`s to its sibling schema files, so the module embeds one
//! self-contained manifest while `schema/` keeps one file per schema.
//!
//! Resolving repeats shared schemas (the trust rules three times, check objects twice): the .wasm embeds
//! the manifest with every repeated subtree stored once (`manifest_main.json` with placeholder strings
//! `"\u0000N"` for part N of `manifest_parts.json`), and `driver.js` expands it. `manifest.json` is
//! the resolved manifest itself, for native code and tests.

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
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).to_path_buf();
    let write = |name: &str, value: &Value| {
        let text = serde_json::to_string(value).expect("serialise");
        std::fs::write(out.join(name), text).expect("write");
    };
    write("manifest.json", &resolved);
    let (main, parts) = share_repeats(&resolved);
    write("manifest_main.json", &main);
    write("manifest_parts.json", &Value::Array(parts));
}

/// The manifest with every subtree that occurs more than once (and is worth it) replaced by a
/// placeholder, and the parts the placeholders stand for (themselves with placeholders).
fn share_repeats(manifest: &Value) -> (Value, Vec<Value>) {
    let mut counts: Vec<(Value, usize)> = Vec::new();
    count_subtrees(manifest, &mut counts);
    let mut candidates: Vec<Value> = counts
        .into_iter()
        .filter(|(value, n)| *n > 1 && text_len(value) >= 64)
        .map(|(value, _)| value)
        .collect();
    candidates.sort_by_key(|value| std::cmp::Reverse(text_len(value)));
    let mut shared: Vec<Value> = Vec::new();
    for candidate in candidates {
        // Largest first; a subtree that now occurs only inside one shared part is left in place.
        let (main, parts) = reduce(manifest, &shared);
        let occurrences: usize = std::iter::once(&main)
            .chain(&parts)
            .map(|tree| occurrences_in(tree, &candidate))
            .sum();
        if occurrences > 1 {
            shared.push(candidate);
        }
    }
    reduce(manifest, &shared)
}

fn text_len(value: &Value) -> usize {
    serde_json::to_string(value).map_or(0, |t| t.len())
}

fn count_subtrees(value: &Value, counts: &mut Vec<(Value, usize)>) {
    let children: Vec<&Value> = match value {
        Value::Object(map) => map.values().collect(),
        Value::Array(items) => items.iter().collect(),
        _ => return,
    };
    match counts.iter_mut().find(|(seen, _)| seen == value) {
        Some((_, n)) => *n += 1,
        None => counts.push((value.clone(), 1)),
    }
    for child in children {
        count_subtrees(child, counts);
    }
}

fn occurrences_in(tree: &Value, candidate: &Value) -> usize {
    if tree == candidate {
        return 1;
    }
    match tree {
        Value::Object(map) => map.values().map(|v| occurrences_in(v, candidate)).sum(),
        Value::Array(items) => items.iter().map(|v| occurrences_in(v, candidate)).sum(),
        _ => 0,
    }
}

fn reduce(manifest: &Value, shared: &[Value]) -> (Value, Vec<Value>) {
    let main = replace(manifest, shared);
    let parts = shared
        .iter()
        .map(|part| replace_children(part, shared))
        .collect();
    (main, parts)
}

fn replace(value: &Value, shared: &[Value]) -> Value {
    match shared.iter().position(|part| part == value) {
        Some(index) => Value::String(format!("\u{0}{index}")),
        None => replace_children(value, shared),
    }
}

fn replace_children(value: &Value, shared: &[Value]) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), replace(v, shared)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| replace(v, shared)).collect()),
        other => other.clone(),
    }
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
