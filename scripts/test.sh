#!/usr/bin/env bash
# usage: scripts/test.sh [ctest args, e.g. -L unit]
# Installs what is missing, builds, and runs the whole ctest suite.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$repo/scripts/setup.sh"
# The e2e test needs Debian's Chromium and playwright-core from npm.
"$repo/tests/e2e/setup.sh"
build="${SLUICE_BUILD_DIR:-$repo/build}"
cd "$build"
# Integration tests are RUN_SERIAL; unit tests may share the two cores.
exec ctest --output-on-failure --timeout 600 -j2 "$@"
