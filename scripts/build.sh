#!/usr/bin/env bash
# Builds the release .wasm into pkg/ (the npm package) and prints its size, raw and gzipped.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

cargo build --quiet --release --target wasm32-unknown-unknown
rm -rf pkg/snippets # the JS driver is copied here under a hash that changes with the crate
wasm-bindgen --target web --out-dir pkg --out-name sentinelone_connector \
  target/wasm32-unknown-unknown/release/sentinelone_connector.wasm
# binaryen from npm: Debian's older wasm-opt emits a module that fails to load (externref table).
wasm-opt -Oz --enable-bulk-memory --enable-reference-types --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-multivalue \
  pkg/sentinelone_connector_bg.wasm -o pkg/sentinelone_connector_bg.wasm

wasm=pkg/sentinelone_connector_bg.wasm
raw=$(wc -c <"$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
awk -v raw="$raw" -v gz="$gz" 'BEGIN {
  printf "release .wasm: %d bytes raw (%.1f KB), %d bytes gzipped (%.1f KB)\n", raw, raw / 1000, gz, gz / 1000 }'
