#!/usr/bin/env bash
# Sets up and runs Tillit with its embedded defaults: installs dependencies, builds in
# Release, creates the data directory on first run (SQLite, master key, self-signed TLS
# certificate, first administrator with a one-time setup code) and serves
# https://localhost:8443 until stopped (Ctrl-C).
#   TILLIT_DATA_DIR   data directory (default /var/lib/tillit)
#   TILLIT_LISTEN     ADDR:PORT to listen on (default 127.0.0.1:8443)
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
data_dir=${TILLIT_DATA_DIR:-/var/lib/tillit}

bash "$root_dir/scripts/setup.sh"
cmake -G Ninja -S "$root_dir" -B "$root_dir/build/release" -DCMAKE_BUILD_TYPE=Release -DTILLIT_TESTS=OFF >/dev/null
cmake --build "$root_dir/build/release" --target tillit
tillit="$root_dir/build/release/apps/tillit/tillit"

if [ ! -f "$data_dir/tillit.db" ]; then
  "$tillit" init --data "$data_dir" ${TILLIT_LISTEN:+--listen "$TILLIT_LISTEN"}
  echo
fi
echo "Serving $data_dir; stop with Ctrl-C."
exec "$tillit" serve --data "$data_dir"
