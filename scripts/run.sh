#!/usr/bin/env bash
# usage: scripts/run.sh [sluice flags, e.g. --http.port 8081]
# Installs what is missing, builds, and runs one node with the embedded
# defaults: WHIP and the demo page on :8080, recordings in ./recordings.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$repo/scripts/setup.sh" sluice
exec "${SLUICE_BUILD_DIR:-$repo/build}/sluice" "$@"
