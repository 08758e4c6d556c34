#!/usr/bin/env bash
# Fails when the release .wasm grows past its budget. Sizes are deterministic for a given toolchain,
# so this gate is fair. The budget is a ratchet at the size measured on 2026-11-24 with every capability
# in, syncAgents included (see BENCHMARKS.md);
# the issue's target is 120 KB raw / 50 KB gzipped, not met yet: lower these as the module shrinks.
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_RAW=196000
MAX_GZIP=83500
wasm=pkg/sentinelone_connector_bg.wasm
raw=$(wc -c <"$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
if [ "$raw" -gt "$MAX_RAW" ] || [ "$gz" -gt "$MAX_GZIP" ]; then
  echo "size budget exceeded: $raw bytes raw (budget $MAX_RAW), $gz gzipped (budget $MAX_GZIP)" >&2
  exit 1
fi
echo "size budget ok: $raw/$MAX_RAW bytes raw, $gz/$MAX_GZIP gzipped"
