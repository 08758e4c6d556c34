#!/usr/bin/env bash
# Builds the floor module (see Cargo.toml) like scripts/build.sh builds the connector, prints its size,
# then times cold start (import + instantiate + first call, fresh Node process, median of 9) for the
# floor, the connector (run `bash scripts/build.sh` first) and the pure-JS reference.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
export PATH="$root/node_modules/.bin:$PATH"
cargo build --quiet --release --target wasm32-unknown-unknown
rm -rf pkg
wasm-bindgen --target web --out-dir pkg --out-name floor target/wasm32-unknown-unknown/release/connector_floor.wasm
wasm-opt -Oz -ocimfs 100 --enable-bulk-memory --enable-reference-types --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-multivalue --strip-producers --strip-target-features \
  pkg/floor_bg.wasm -o pkg/floor_bg.wasm
# The same entries as the package's pkg/node.js and pkg/node-sync.js.
cat >pkg/node.js <<'JS'
import { createRequire } from 'node:module';
import { initSync } from './floor.js';
const { readFileSync } = process.getBuiltinModule?.('fs') ?? createRequire(import.meta.url)('fs');
initSync({ module: readFileSync(new URL('./floor_bg.wasm', import.meta.url)) });
export * from './floor.js';
JS
cat >pkg/node-sync.js <<'JS'
import { initSync } from './floor.js';
initSync({ module: process.getBuiltinModule('fs').readFileSync(new URL('./floor_bg.wasm', import.meta.url)) });
export * from './floor.js';
JS
raw=$(wc -c <pkg/floor_bg.wasm)
gz=$(gzip -9 -c pkg/floor_bg.wasm | wc -c)
echo "floor .wasm: $raw bytes raw, $gz bytes gzipped"
node cold.mjs "$root"
