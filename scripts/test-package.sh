#!/usr/bin/env bash
# Tests the npm package as a user gets it: pack pkg/, install the tarball into a scratch project,
# import it by name from Node ESM (on every Node line it claims) and from a page in Chromium, Firefox and WebKit,
# type-check a TS consumer, and hold the packed types to the exported schemas.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
scratch=build/package-scratch
rm -rf "$scratch" && mkdir -p "$scratch"
tarball=$(cd pkg && npm pack --silent --pack-destination "$repo/build" 2>/dev/null | tail -n 1)
cat >"$scratch/package.json" <<JSON
{ "name": "scratch-host", "private": true, "type": "module" }
JSON
cp tests/package/*.mjs tests/package/*.ts tests/package/*.html "$scratch/"
(
  cd "$scratch"
  npm install --no-audit --no-fund --loglevel=error "$repo/build/$tarball" \
    ajv@8.20.0 playwright-core@1.65.1 puppeteer-core@25.19.0 typescript@5.9.3 typescript7@npm:typescript@7.0.2 \
    @types/node@20 undici@7.30.3 vite@8.4.1 webpack@5.113.0 workerd@1.20261123.1 deno@2.9.6 bun@1.4.5 >/dev/null
  # TypeScript 5 (whose compiler API types.test.mjs uses) and 7 (the native compiler hosts now run),
  # resolving as Node does and as a bundler's project does.
  for tsc in node_modules/.bin/tsc node_modules/typescript7/bin/tsc; do
    for resolution in "--module nodenext --moduleResolution nodenext" "--module preserve --moduleResolution bundler"; do
      # shellcheck disable=SC2086 # the flags are words
      "$tsc" --noEmit --strict --target es2022 $resolution consumer.ts
      # The README's Workers recipe: the package's subpaths resolve, with Workers' type of a .wasm import.
      # shellcheck disable=SC2086
      "$tsc" --noEmit --strict --target es2022 $resolution --lib es2022,dom worker-consumer.ts wasm-modules.d.ts
    done
    echo "TypeScript $("$tsc" --version | awk '{print $2}'): the consumers type-check against the packed types"
  done
  REPO="$repo" node --test --test-reporter=spec ./*.test.mjs
  # The page cases again in the two other engines: Firefox ESR, driven by Puppeteer over WebDriver BiDi,
  # and WebKitGTK (Safari's engine) under Xvfb, through WebKitWebDriver.
  for engine in firefox webkit; do
    echo "The package in $engine:"
    BROWSER=$engine REPO="$repo" node --test --test-reporter=spec ./browser.test.mjs
  done
  # Deno and Bun, which hosts run the package in too: one script of what a host relies on, in each
  # (and in this Node, which keeps the script itself honest).
  for runtime in node "node_modules/.bin/deno run -A" node_modules/.bin/bun; do
    name=$(basename "${runtime%% *}")
    # shellcheck disable=SC2086 # the command and its flags are words
    RUNTIME=$name REPO="$repo" $runtime ./runtimes.mjs
  done
  # The package says Node >= 18: its Node tests again on each other Node line (scripts/setup.sh puts
  # them in build/node). Not the Chromium and bundler tests (what they test is the page's and the
  # bundler's), nor, on Node 18, the proxy recipe's (undici 7 needs Node >= 20.18).
  for node in "$repo"/build/node/v*/bin/node; do
    [ -x "$node" ] || continue
    version=$("$node" --version)
    files=$(ls ./*.test.mjs | grep -v -e '/browser\.test' -e '/bundler\.test')
    case $version in v18.*) files=$(printf '%s\n' $files | grep -v '/proxy\.test') ;; esac
    echo "The package on Node $version:"
    # shellcheck disable=SC2086 # one argument per file
    REPO="$repo" "$node" --test --test-reporter=spec $files
  done
)
