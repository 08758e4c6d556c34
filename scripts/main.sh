#!/usr/bin/env bash
# The main job: set up what is missing, build the package, then either look one serial number up
# against the embedded mock console (or a real console when S1_BASE_URL and S1_API_TOKEN are set),
# or, with --serve, serve the browser workbench and the mock console on one origin and print the URL.
#
#   bash scripts/main.sh [SERIAL] [--capability NAME]
#   bash scripts/main.sh --serve [--port 4010]
set -euo pipefail
cd "$(dirname "$0")/.."
NEED_BROWSER=0 NEED_NODES=0 bash scripts/setup.sh >&2
bash scripts/build.sh >&2
# --serve anywhere among the arguments; the rest go to the server (--port N) or the lookup.
rest=()
serve=0
for arg in "$@"; do
  if [ "$arg" = "--serve" ]; then serve=1; else rest+=("$arg"); fi
done
if [ "$serve" = 1 ]; then
  exec node scripts/serve.mjs ${rest[@]+"${rest[@]}"}
fi
exec node scripts/lookup.mjs ${rest[@]+"${rest[@]}"}
