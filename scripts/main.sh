#!/usr/bin/env bash
# The main job: set up what is missing, build the package, and look up one serial number
# against the embedded mock console (or a real console when S1_BASE_URL and S1_API_TOKEN are set).
#
#   bash scripts/main.sh [SERIAL]
set -euo pipefail
cd "$(dirname "$0")/.."
NEED_BROWSER=0 bash scripts/setup.sh >&2
bash scripts/build.sh >&2
exec node scripts/lookup.mjs "$@"
