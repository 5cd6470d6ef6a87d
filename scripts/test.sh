#!/usr/bin/env bash
# Sets up and runs every test: installs dependencies (with test tools), then
#   1. builds and runs the unit, web-server and integration tests (CTest), on SQLite and, in a
#      throwaway PostgreSQL cluster (pg_virtualenv: a temporary directory, run as the
#      unprivileged postgres user, on a loopback port), once more on PostgreSQL,
#   2. runs the browser tests (playwright-core driving Debian's chromium) against that build,
#   3. builds the fuzz targets with clang and runs each briefly over its corpus,
#   4. rebuilds with AddressSanitizer + UndefinedBehaviorSanitizer and runs the CTest suite again.
#   TILLIT_FUZZ_SECONDS  seconds per fuzz target (default 20; 0 skips fuzzing)
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)

# Runs CTest in BUILD_DIR with a throwaway PostgreSQL cluster that exists for that run only.
run_ctest() {
  pg_virtualenv sh -c 'TILLIT_TEST_PG_CTL="pg_ctlcluster $PGVERSION regress" \
    ctest --test-dir "$1" --output-on-failure -j "$2"' run_ctest "$1" "$jobs"
}

bash "$root_dir/scripts/setup.sh" --test

echo "== build (tests)"
cmake -G Ninja -S "$root_dir" -B "$root_dir/build/test" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTILLIT_TESTS=ON >/dev/null
cmake --build "$root_dir/build/test" -j "$jobs"

echo "== browser tests"
TILLIT_BIN="$root_dir/build/test/apps/tillit/tillit" bash "$root_dir/tests/browser/run.sh"

fuzz_seconds=${TILLIT_FUZZ_SECONDS:-20}
if [ "$fuzz_seconds" != "0" ]; then
  echo "== fuzz targets (${fuzz_seconds}s each)"
  bash "$root_dir/fuzz/run.sh" "$fuzz_seconds"
fi

echo "== ASan + UBSan build and tests"
cmake -G Ninja -S "$root_dir" -B "$root_dir/build/sanitize" -DCMAKE_BUILD_TYPE=Debug -DTILLIT_TESTS=ON \
  -DTILLIT_SANITIZE=ON >/dev/null
cmake --build "$root_dir/build/sanitize" -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_ctest "$root_dir/build/sanitize"

echo "== tests (SQLite and PostgreSQL)"
run_ctest "$root_dir/build/test"
