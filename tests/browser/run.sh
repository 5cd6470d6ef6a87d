#!/usr/bin/env bash
# Runs Tillit's browser tests.
#   TILLIT_BIN=build/apps/tillit/tillit bash tests/browser/run.sh
# Needs Node 20+ with npm and Debian's Chromium (apt-get install -y chromium;
# CHROMIUM_BIN overrides /usr/bin/chromium). Never downloads a browser.
# Exits non-zero when a test fails or the setup is incomplete.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

fail() { echo "tests/browser/run.sh: $*" >&2; exit 2; }

[[ -n "${TILLIT_BIN:-}" ]] ||
  fail "TILLIT_BIN is not set; e.g. TILLIT_BIN=\$PWD/build/apps/tillit/tillit bash tests/browser/run.sh"
# Relative to where the caller stands, not to tests/browser/.
case "$TILLIT_BIN" in /*) ;; *) TILLIT_BIN="$PWD/$TILLIT_BIN" ;; esac
[[ -f "$TILLIT_BIN" && -x "$TILLIT_BIN" ]] ||
  fail "TILLIT_BIN=$TILLIT_BIN is not an executable file (build it: ninja -C build tillit)"
export TILLIT_BIN

chromium="${CHROMIUM_BIN:-/usr/bin/chromium}"
[[ -x "$chromium" ]] ||
  fail "Chromium not found at $chromium: apt-get install -y chromium (or set CHROMIUM_BIN)"
command -v node >/dev/null && command -v npm >/dev/null ||
  fail "node and npm are needed (Node 20 or newer)"

cd "$here"

# Install node modules from the lockfile when they are missing or stale.
wanted="$(node -p 'require("./package-lock.json").packages["node_modules/playwright-core"].version')"
installed="$(node -p 'try { require("./node_modules/playwright-core/package.json").version } catch { "" }')"
if [[ "$installed" != "$wanted" ]]; then
  echo "tests/browser: npm ci (playwright-core $wanted)"
  npm ci --no-audit --no-fund
fi

status=0
npm test || status=$?
if [[ $status -ne 0 ]]; then
  echo "tests/browser: FAILED (exit $status); screenshots are in $here/test-results/" >&2
fi
exit "$status"
