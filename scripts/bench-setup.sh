#!/usr/bin/env bash
# usage: scripts/bench-setup.sh [-n CYCLES] [-w WARMUP] [-p POLL_MS] [-k]
#   Setup/teardown/takeover latency of one publish: a bare in-process
#   webrtc_ingest (floor) against a real sluice node over WHIP (node) and a
#   reconnect onto a live stream id (takeover), all in one run; prints
#   median/p90 per metric and the node/floor ratios. Builds what it needs
#   first (scripts/setup.sh sluice sluice-bench-setup). Loopback only.
#   Defaults: -n 20 -w 2 -p 5. -k keeps the temp dir (node log, recordings).
#   SLUICE_BUILD_DIR overrides ./build.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SLUICE_BUILD_DIR:-$repo/build}
cycles=20 warmup=2 poll=5 keep=()
while getopts "n:w:p:kh" o; do
  case $o in
    n) cycles=$OPTARG ;; w) warmup=$OPTARG ;; p) poll=$OPTARG ;;
    k) keep=(--keep) ;; *) sed -n '2,9p' "$0"; exit 2 ;;
  esac
done
"$repo/scripts/setup.sh" sluice sluice-bench-setup
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$build/sluice-bench-setup" --sluice "$build/sluice" --cycles "$cycles" \
  --warmup "$warmup" --poll-ms "$poll" "${keep[@]}"
