#!/usr/bin/env bash
# Installs everything Tillit needs on Debian 12 (bookworm), idempotently.
#   scripts/setup.sh          build and runtime dependencies
#   scripts/setup.sh --test   also what the test suite needs (clang for sanitizers/fuzzing,
#                             chromium + playwright-core for browser tests, TLS scanners)
# Only Debian's apt and the npm registry are used.
set -euo pipefail

want_test=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (use --test or --help)" >&2; exit 2 ;;
  esac
done

root_dir=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates openssl
  libboost1.81-dev libssl-dev libsodium-dev liboath-dev libsqlite3-dev libpq-dev
  nlohmann-json3-dev libcli11-dev libyaml-cpp-dev libkainjow-mustache-dev john-data
  libcurl4-openssl-dev libcpp-jwt-dev libqrencode-dev libhpdf-dev fonts-dejavu-core
  libexpat1-dev libyajl-dev
)
test_packages=(
  libgtest-dev libgmock-dev libbenchmark-dev clang-14 libclang-rt-14-dev
  chromium sslscan postgresql poppler-utils chrony
)
(( want_test )) && packages+=("${test_packages[@]}")

# Node.js and npm: only when no npm is present (a machine may already carry its own Node.js).
if (( want_test )) && ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if (( ${#missing[@]} )); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh: missing packages: ${missing[*]}; run as root (or install them) and retry" >&2
    exit 1
  fi
  echo "setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if (( want_test )); then
  # Test-only npm packages, each folder pinned by its package-lock.json: playwright-core
  # (drives Debian's chromium; it never downloads a browser of its own) and the OpenID
  # Connect provider the federated-login tests start on loopback, and the SMTP server
  # (smtp-server, from the nodemailer project) the mail tests deliver to, and Ajv
  # with ajv-formats, which checks OSCAL output against NIST's schema. A stamp of the lock file's
  # hash makes this idempotent and re-runs npm ci when the lock file changes.
  for dir in "$root_dir"/tests/browser "$root_dir"/tests/oidc-provider "$root_dir"/tests/smtp-server \
    "$root_dir"/tests/oscal-validator; do
    [ -f "$dir/package-lock.json" ] || continue
    lock_hash=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
    if [ "$(cat "$dir/node_modules/.tillit-lock-sha256" 2>/dev/null)" != "$lock_hash" ]; then
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
      echo "$lock_hash" >"$dir/node_modules/.tillit-lock-sha256"
    fi
  done
fi
echo "setup.sh: dependencies ready"
