#!/usr/bin/env bash
# usage: scripts/bench-cycles.sh [-n CYCLES] [-w WARMUP] [-d SECONDS] [-H HEAP_CYCLES]
#   Per-session resource growth of one node: WARMUP publish/DELETE cycles,
#   then a reading of RSS (VmRSS), threads and fds, then CYCLES more cycles
#   and a second reading. Runs the node with MALLOC_ARENA_MAX unset, =2 and
#   =8*cores (glibc's default; the node picks 2 itself when unset) and prints
#   the growth per cycle side by side as ratios. -H N adds a run
#   under heaptrack with N cycles and prints what it calls leaked.
#   Defaults: -n 50 -w 10 -d 1. Needs a built tree (ninja -C build sluice
#   sluice-publish); SLUICE_BUILD_DIR overrides ./build. One cycle = one
#   sluice-publish run (VP8 + Opus, --end stop, i.e. WHIP DELETE).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SLUICE_BUILD_DIR:-$repo/build}
cycles=50 warmup=10 dur=1 heap=0
while getopts "n:w:d:H:h" o; do
  case $o in
    n) cycles=$OPTARG ;; w) warmup=$OPTARG ;; d) dur=$OPTARG ;;
    H) heap=$OPTARG ;; *) sed -n '2,11p' "$0"; exit 2 ;;
  esac
done
work=$(mktemp -d /tmp/sluice-bench.XXXXXX)
node_pid=""
cleanup() { [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null || true; }
trap cleanup EXIT

# start_node <name> [launcher...]: sets node_pid (the sluice process) and port
start_node() {
  local name=$1; shift
  "$@" "$build/sluice" --http.bind 127.0.0.1 --http.port 0 --log.level warn \
    --record.dir "$work/$name-rec" >"$work/$name.ready" 2>"$work/$name.log" &
  local launcher=$!
  for _ in $(seq 300); do
    grep -q "sluice ready" "$work/$name.ready" 2>/dev/null && break
    sleep 0.1
  done
  port=$(sed -n 's/.*http=[^:]*:\([0-9]*\).*/\1/p' "$work/$name.ready")
  [ -n "$port" ] || { echo "node $name did not start" >&2; cat "$work/$name.log" >&2; exit 1; }
  node_pid=$(find_sluice "$launcher")
  [ -n "$node_pid" ] || { echo "cannot find the sluice process" >&2; exit 1; }
}

# The sluice process: the launcher itself (env execs) or a descendant
# (heaptrack's wrapper script).
find_sluice() {
  local p=$1 c
  [ "$(cat /proc/$p/comm 2>/dev/null)" = sluice ] && { echo "$p"; return; }
  for c in $(pgrep -P "$p"); do find_sluice "$c"; done
}

# Waits until the node reports no sessions and no ingests.
wait_idle() {
  for _ in $(seq 100); do
    local r; r=$(curl -sf "http://127.0.0.1:$port/debug/resources" || true)
    if echo "$r" | grep -q '"sessions":0' && echo "$r" | grep -q '"gst_ingests":0'; then
      return 0
    fi
    sleep 0.1
  done
  echo "warning: node not idle: $r" >&2
}

# run_cycles <n> <stream>
run_cycles() {
  local i
  for i in $(seq "$1"); do
    "$build/sluice-publish" --url "http://127.0.0.1:$port/whip/$2" \
      --duration "$dur" --end stop >>"$work/publish.log" 2>&1 ||
      echo "warning: publish cycle $i failed (see $work/publish.log)" >&2
  done
  wait_idle
}

# reading: "<rss_kib> <threads> <fds>"
reading() {
  echo "$(awk '/^VmRSS/ {print $2}' /proc/$node_pid/status)" \
       "$(ls /proc/$node_pid/task | wc -l)" "$(ls /proc/$node_pid/fd | wc -l)"
}

stop_node() {
  kill -TERM "$node_pid"
  for _ in $(seq 200); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.1; done
  wait 2>/dev/null || true
  node_pid=""
}

# measure <label> [env assignment]: prints one result line, sets growth_<label>
measure() {
  local label=$1; shift
  if [ $# -gt 0 ]; then start_node "$label" env "$@"; else start_node "$label" env -u MALLOC_ARENA_MAX; fi
  run_cycles "$warmup" "warm-$label"
  read -r rss0 thr0 fd0 <<<"$(reading)"
  local t0=$SECONDS
  run_cycles "$cycles" "bench-$label"
  read -r rss1 thr1 fd1 <<<"$(reading)"
  local per; per=$(awk -v a="$rss0" -v b="$rss1" -v n="$cycles" 'BEGIN{printf "%.1f", (b-a)/n}')
  printf "%-22s RSS %7d -> %7d KiB (%+6.1f KiB/cycle)  threads %3d -> %3d  fds %3d -> %3d  (%d cycles in %ds)\n" \
    "$label" "$rss0" "$rss1" "$per" "$thr0" "$thr1" "$fd0" "$fd1" "$cycles" $((SECONDS - t0))
  printf -v "growth_${label//[^a-zA-Z0-9]/_}" '%s' "$per"
  stop_node
}

echo "sluice bench-cycles: warmup=$warmup cycles=$cycles duration=${dur}s" \
     "cpus=$(nproc) mem=$(awk '/MemTotal/ {printf "%.0fGiB", $2/1048576}' /proc/meminfo)"
# The node itself limits glibc to 2 arenas unless MALLOC_ARENA_MAX is set
# (app/main.cpp), so "unset" is the node's default; glibc's own default (8
# arenas per core) is measured by setting it explicitly.
measure arena_unset
measure arena_max_2 MALLOC_ARENA_MAX=2
measure arena_glibc_default MALLOC_ARENA_MAX=$((8 * $(nproc)))
ratio() {
  awk -v a="$2" -v b="$4" -v la="$1" -v lb="$3" 'BEGIN{
    printf "growth per cycle: %s %+.1f KiB vs %s %+.1f KiB, ratio ", la, a, lb, b
    if (b != 0) printf "%.1fx\n", a / b; else printf "n/a (second is 0)\n" }'
}
ratio "MALLOC_ARENA_MAX unset" "$growth_arena_unset" "=2" "$growth_arena_max_2"
ratio "glibc default ($((8 * $(nproc))) arenas)" "$growth_arena_glibc_default" "=2" "$growth_arena_max_2"

if [ "$heap" -gt 0 ]; then
  command -v heaptrack >/dev/null || { echo "heaptrack is not installed" >&2; exit 1; }
  start_node heaptrack heaptrack -o "$work/heaptrack"
  run_cycles "$heap" heap
  stop_node
  sleep 1
  file=$(ls "$work"/heaptrack*.zst "$work"/heaptrack*.gz 2>/dev/null | head -1 || true)
  echo "heaptrack, $heap cycles: $(heaptrack_print -f "$file" 2>/dev/null | grep -E '^(leaked|total memory leaked)' | head -2 | tr '\n' ' ')"
  echo "  full report: heaptrack_print -f $file --print-leaks 1"
fi
echo "logs: $work"
