#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for SECONDS (default 30) over a
# temporary copy of its seed corpus. Exits non-zero if any target crashes, leaks, hits
# undefined behaviour, times out or breaks an invariant; the input that did it is kept in
# BUILD_DIR/fuzz-artifacts/.
#
#   bash fuzz/run.sh [SECONDS]
#
# Environment:
#   BUILD_DIR     build directory (default: build-fuzz/ at the repository root)
#   FUZZ_TARGETS  space-separated subset of targets to run (default: all of them)
#   CC, CXX       compilers for the first configure (default: clang-14, clang++-14)
#   KEEP_CORPUS=1 keep the working corpora (with what the fuzzer found) instead of deleting them
#   FUZZ_ARGS     extra libFuzzer flags. "-fork=1 -ignore_crashes=1" keeps fuzzing past crashes and
#                 collects every crashing input (the run still fails).
set -euo pipefail

seconds="${1:-30}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: bash fuzz/run.sh [SECONDS]   (SECONDS: a whole number >= 1, default 30)" >&2
  exit 2
fi

fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$fuzz_dir/.." && pwd)"
build="${BUILD_DIR:-$root/build-fuzz}"
all_targets="fuzz_catalog_yaml fuzz_config_yaml fuzz_audit_export fuzz_timestamp fuzz_http_request fuzz_cvss fuzz_oidc_token fuzz_ingest_json fuzz_ingest_xml fuzz_sntp fuzz_multipart"
targets="${FUZZ_TARGETS:-$all_targets}"
export CC="${CC:-clang-14}" CXX="${CXX:-clang++-14}"

if ! command -v "$CXX" >/dev/null; then
  echo "run.sh: $CXX not found; fuzz targets need clang (CC=clang-14 CXX=clang++-14)" >&2
  exit 2
fi

# Everything linked into a target is compiled with coverage instrumentation and the sanitizers.
sanitize_flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
generator=()
if [ ! -f "$build/CMakeCache.txt" ] && command -v ninja >/dev/null; then generator=(-G Ninja); fi

work="$(mktemp -d "${TMPDIR:-/tmp}/tillit-fuzz.XXXXXX")"
if [ "${KEEP_CORPUS:-0}" = 1 ]; then
  echo "== working corpora kept in $work"
else
  trap 'rm -rf "$work"' EXIT
fi

echo "== configuring $build"
cmake -S "$root" -B "$build" "${generator[@]}" \
  -DTILLIT_FUZZ=ON -DTILLIT_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="$sanitize_flags" >"$work/configure.log" 2>&1 || {
  cat "$work/configure.log" >&2
  exit 2
}

echo "== building $targets (only these and the libraries they need)"
# shellcheck disable=SC2086
cmake --build "$build" --target $targets

artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"

# Sanitizer reports abort the process, so libFuzzer records the input as a crash.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
# A 64 MB quarantine (as OSS-Fuzz uses) keeps long runs well under libFuzzer's 2 GB RSS limit;
# ASan's default 256 MB plus allocator caches reaches it after about 20 minutes.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:quarantine_size_mb=64}"

# From the first error line of a libFuzzer log: the message and the stack, without libFuzzer's
# and libc's frames and without the dumps of the input.
error_report() {
  awk '/^==[0-9]+==ERROR|==FUZZ_CHECK failed|terminate called|runtime error:|ERROR: libFuzzer/ {on = 1} on' "$1" \
    | grep -avE 'fuzzer::|in __sanitizer_print_stack_trace|pthread_kill|raise\.c|abort\.c|libc_start|in _start |in main |libc\.so|libstdc\+\+\.so|Test unit written|^NOTE:|^ +Combine libFuzzer|^MS: |^0x|^Base64: |^stat::|^Running: |^Executed ' \
    | cut -c 1-300 | awk 'NR <= 40' || true
}

failed=()
summary=()
for t in $targets; do
  bin="$build/fuzz/$t"
  corpus="$work/$t"
  mkdir -p "$corpus"
  if [ -d "$fuzz_dir/corpus/$t" ]; then cp "$fuzz_dir/corpus/$t"/* "$corpus"/ 2>/dev/null || true; fi
  dict=()
  if [ -f "$fuzz_dir/dict/$t.dict" ]; then dict=("-dict=$fuzz_dir/dict/$t.dict"); fi
  log="$work/$t.log"
  echo "== $t: ${seconds}s over $(find "$corpus" -type f | wc -l) seeds"
  rc=0
  # shellcheck disable=SC2086
  "$bin" "$corpus" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -use_value_profile=1 -print_final_stats=1 -artifact_prefix="$artifacts/$t-" ${FUZZ_ARGS:-} >"$log" 2>&1 || rc=$?
  stats="$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -E 's/^#([0-9]+)\s+\S+\s+/\1 runs, /' || true)"
  speed="$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}' || true)"
  if [ "$rc" -ne 0 ]; then
    failed+=("$t")
    echo "!! $t FAILED (exit $rc). Report:" >&2
    found="$(find "$artifacts" -name "$t-*" -newer "$work" -type f ! -name '*.log' | sort)"
    report="$(error_report "$log")"
    if grep -aq 'fuzzing in separate process' "$log" && [ -n "$found" ]; then
      # -fork=1 leaves the children's reports out of the log: reproduce the first input.
      first="$(printf '%s\n' "$found" | head -n 1)"
      "$bin" "$first" >"$work/$t.repro.log" 2>&1 || true
      report="$(error_report "$work/$t.repro.log")"
      echo "   (reproduced from $first)" >&2
    fi
    if [ -n "$report" ]; then printf '%s\n' "$report" >&2; else tail -n 40 "$log" >&2; fi
    grep -a -m 1 -E 'Test unit written to' "$log" >&2 || true
    crashes="$(printf '%s' "$found" | grep -c . || true)"
    [ "$crashes" -le 1 ] || echo "   $crashes crashing inputs saved by this run" >&2
    cp "$log" "$artifacts/$t.log"
    echo "   full log: $artifacts/$t.log" >&2
    summary+=("$t: FAILED (exit $rc)")
  else
    summary+=("$t: ok, ${speed:-?} exec/s, $stats")
  fi
done

echo
echo "== summary (${seconds}s each)"
printf '  %s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "== FAILED: ${failed[*]}; crashing inputs in $artifacts/" >&2
  exit 1
fi
