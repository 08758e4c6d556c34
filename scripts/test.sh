#!/usr/bin/env bash
# Every test: lint (native and wasm32), native unit and integration tests, the wasm build under
# Node and in headless Chromium, the release build (with its size), the CLI, and the npm package
# as a user installs it. Installs whatever is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
step() { printf '\n==> %s\n' "$*"; }

step "set-up (skips what is installed)"
bash scripts/setup.sh

step "format and lint"
cargo fmt --check
cargo clippy --quiet --all-targets -- -D warnings
cargo clippy --quiet --all-targets --target wasm32-unknown-unknown -- -D warnings

step "native tests"
cargo test --quiet

step "wasm tests under Node"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
cargo test --target wasm32-unknown-unknown --test wasm_node

step "wasm tests in headless Chromium"
CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test wasm_browser

step "release build and size budget"
bash scripts/build.sh
bash scripts/check-size.sh

step "CLI against the embedded mock console"
node --test --test-reporter=spec tests/mock_console.test.mjs tests/cli.test.mjs tests/driver.test.mjs

step "the connector against the bench's JS reference on random pages (lookups, verdicts, syncs)"
node --test --test-reporter=spec tests/differential.test.mjs

step "browser workbench in headless Chromium, then in Firefox ESR and WebKitGTK"
node --test --test-reporter=spec tests/harness.test.mjs tests/workbench-engines.test.mjs

step "npm package as a user installs it (Node 18-24, Deno, Bun; Chromium, Firefox, WebKit; TypeScript 5 and 7)"
bash scripts/test-package.sh

printf '\nAll test stages passed.\n'
