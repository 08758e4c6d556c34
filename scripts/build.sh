#!/usr/bin/env bash
# Builds the release .wasm into pkg/ (the npm package) and prints its size, raw and gzipped.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

cargo build --quiet --release --target wasm32-unknown-unknown
rm -rf pkg/snippets # wasm-bindgen copies the JS driver here, under a hash that changes with the crate
wasm-bindgen --target web --out-dir pkg --out-name sentinelone_connector \
  target/wasm32-unknown-unknown/release/sentinelone_connector.wasm
# ...and the glue imports it from there: put it in the glue instead (one module to load, not two).
node scripts/inline-driver.mjs pkg/sentinelone_connector.js
# ...and keep its init() from loading Node's fetch implementation when given bytes or a Module.
node scripts/lazy-init.mjs pkg/sentinelone_connector.js
# binaryen from npm: Debian's older wasm-opt emits a module that fails to load (externref table).
# -ocimfs 100: a function with one caller is inlined only when small. V8 compiles wasm functions
# lazily, on first call; one big function holding every rare path made a first lookup compile ~10 %
# more code (~0.9 ms of cold start) for ~1 KB less raw size (gzipped it is ~2 KB smaller this way).
# The producers and target-features sections (which tools made it, which features it uses) are for
# linkers and tools, not engines: 0.26 KB.
wasm-opt -Oz -ocimfs 100 --enable-bulk-memory --enable-reference-types --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-multivalue --strip-producers --strip-target-features \
  pkg/sentinelone_connector_bg.wasm -o pkg/sentinelone_connector_bg.wasm

wasm=pkg/sentinelone_connector_bg.wasm
raw=$(wc -c <"$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
awk -v raw="$raw" -v gz="$gz" 'BEGIN {
  printf "release .wasm: %d bytes raw (%.1f KB), %d bytes gzipped (%.1f KB)\n", raw, raw / 1000, gz, gz / 1000 }'
