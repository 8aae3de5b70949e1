#!/usr/bin/env bash
# Installs what the e2e test needs on a Debian 12 machine: Debian's Chromium,
# gst-discoverer-1.0 (to check the recording), and playwright-core from npm
# (it drives the system Chromium; it downloads no browser).
# Idempotent and quiet when there is nothing to do.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

wanted=(chromium gstreamer1.0-plugins-base-apps)
# node and npm come with the machine (node 20); Debian's own (18) also works.
command -v node >/dev/null || wanted+=(nodejs)
command -v npm >/dev/null || wanted+=(npm)
missing=()
for pkg in "${wanted[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "e2e setup: installing ${missing[*]}"
  sudo_cmd=()
  [[ "$(id -u)" -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  # Output only on failure (apt prints debconf chatter to stderr otherwise).
  if ! log="$("${sudo_cmd[@]}" apt-get update -qq 2>&1 \
        && "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" 2>&1)"; then
    echo "$log" >&2
    echo "e2e setup: apt-get failed" >&2
    exit 1
  fi
fi

# Reinstall only when the lock file is newer than the installed tree (npm
# writes node_modules/.package-lock.json on every install).
stamp="$here/node_modules/.package-lock.json"
if [[ ! -f "$stamp" || ! -d "$here/node_modules/playwright-core" \
      || "$here/package-lock.json" -nt "$stamp" || "$here/package.json" -nt "$stamp" ]]; then
  echo "e2e setup: npm ci in tests/e2e"
  # PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: belt and braces; playwright-core has no
  # install script, and only the system Chromium is ever used.
  (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
