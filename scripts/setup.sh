#!/usr/bin/env bash
# Installs what building and testing need, skipping whatever is already there.
# Safe to run any number of times; every step checks before it installs.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
need_browser=${NEED_BROWSER:-1}
# The other Node lines the package claims (engines: node >= 18) besides the machine's own: the
# oldest and the two newest LTS lines, for the package tests (scripts/test-package.sh).
need_nodes=${NEED_NODES:-1}
OTHER_NODE_VERSIONS="18.20.8 22.23.5 24.22.3"

log() { printf '[setup] %s\n' "$*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  # No --locked: the CLI's own lockfile pins a crate version the registry no longer serves.
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2.5 minutes, once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# Chromium for the wasm tests, the workbench and the package; Firefox ESR and WebKitGTK (under Xvfb)
# for the package in the two other engines (tests/package/browser.test.mjs with BROWSER=firefox|webkit).
browser_missing() {
  for c in chromium chromedriver firefox-esr WebKitWebDriver xvfb-run; do
    command -v "$c" >/dev/null || return 0
  done
  return 1
}
if [ "$need_browser" = 1 ] && browser_missing; then
  log "installing Debian chromium, chromium-driver, firefox-esr, webkit2gtk-driver and xvfb"
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver firefox-esr webkit2gtk-driver xvfb >/dev/null
fi

# npm ci only when the lockfile changed since the last install.
stamp=node_modules/.package-lock.stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  log "installing npm dev dependencies"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

# Node binaries from the npm registry (the node-<platform>-<arch> packages hold nodejs.org's builds):
# this machine reaches no other download site. 88-122 MB each unpacked, into build/node/v<version>/.
if [ "$need_nodes" = 1 ]; then
  platform=$(node -p 'process.platform + "-" + process.arch')
  for version in $OTHER_NODE_VERSIONS; do
    dir=build/node/v$version
    if [ "$("$dir/bin/node" --version 2>/dev/null)" = "v$version" ]; then continue; fi
    log "installing Node $version for the package tests (npm package node-$platform@$version)"
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent --loglevel=error "node-$platform@$version" >/dev/null)
    rm -rf "$dir" && mkdir -p "$dir"
    tar xzf "$tmp"/*.tgz -C "$dir" --strip-components=1 package/bin package/LICENSE
    rm -rf "$tmp"
    if [ "$("$dir/bin/node" --version 2>/dev/null)" != "v$version" ]; then
      log "Node $version did not install into $dir"
      exit 1
    fi
  done
fi
