#!/usr/bin/env bash
# usage: scripts/setup.sh    (sourced by run.sh and test.sh; safe to rerun)
# Installs the Debian 12 packages sluice needs, and only those missing, then
# configures and builds into ./build. Quiet when there is nothing to do.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libcaf-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libgstreamer-plugins-bad1.0-dev gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-nice gstreamer1.0-tools libnice-dev
  libboost1.81-dev nlohmann-json3-dev libyaml-cpp-dev libcli11-dev
  libspdlog-dev doctest-dev
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${#missing[@]} missing packages: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${SLUICE_BUILD_DIR:-$repo/build}"
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    >/dev/null
fi
# CAF-heavy translation units take ~0.5 GB each; two jobs fit any machine.
# Progress lines are dropped; warnings, errors and ninja's status stay.
status=0
ninja -C "$build" -j2 "$@" > >(grep -v '^\[' >&2) || status=$?
wait
exit "$status"
