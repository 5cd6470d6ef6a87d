#!/usr/bin/env bash
# Scanner report parsing (ingest/, parse only: no database): generates a Trivy JSON report of
# FINDINGS vulnerabilities over ASSETS targets (default 100,000 over 1,000), then times in the
# same run, best of RUNS (default 3):
#   jq      jq -c '.Results[].Vulnerabilities[]' FILE > /dev/null
#   tillit  every finding parsed, checked (CVSS vectors through core) and fingerprinted
# and prints the ratio tillit/jq (the target is at most 2) and both peak RSS. The import
# benchmark (database included) builds on this one.
#   bash bench/ingest_parse.sh [FINDINGS] [ASSETS]
# Environment: BUILD_DIR (default build/ingest-release), RUNS.
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
findings=${1:-100000}
assets=${2:-1000}
runs=${RUNS:-3}
build="${BUILD_DIR:-$root_dir/build/ingest-release}"

command -v jq >/dev/null || { echo "ingest_parse.sh: jq is not installed (apt-get install jq)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "ingest_parse.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

cmake -G Ninja -S "$root_dir" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTILLIT_TESTS=OFF >/dev/null
cmake --build "$build" --target ingest_parse_bench >/dev/null
bench="$build/ingest/ingest_parse_bench"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
report="$work/trivy.json"
"$bench" generate "$report" "$findings" "$assets"
size_mb=$(( $(stat -c %s "$report") / 1024 / 1024 ))
echo "report: $findings findings over $assets assets, $size_mb MiB ($report)"

# Wall seconds and peak RSS (KiB) of a command: "SECONDS KIB".
measure() { /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }; cat "$work/time"; }

best_jq="" best_tillit="" rss_jq=0 rss_tillit=0
for _ in $(seq "$runs"); do
  read -r t m < <(measure sh -c "jq -c '.Results[].Vulnerabilities[]' '$report' > /dev/null")
  if [ -z "$best_jq" ] || awk "BEGIN{exit !($t < $best_jq)}"; then best_jq=$t; fi
  rss_jq=$(( m > rss_jq ? m : rss_jq ))
  read -r t m < <(measure "$bench" parse "$report" trivy)
  if [ -z "$best_tillit" ] || awk "BEGIN{exit !($t < $best_tillit)}"; then best_tillit=$t; fi
  rss_tillit=$(( m > rss_tillit ? m : rss_tillit ))
done
"$bench" parse "$report" trivy

awk -v j="$best_jq" -v t="$best_tillit" -v n="$findings" -v rj="$rss_jq" -v rt="$rss_tillit" 'BEGIN {
  printf "jq      %6.2f s   peak RSS %7.1f MiB\n", j, rj / 1024
  printf "tillit  %6.2f s   peak RSS %7.1f MiB   %.0f findings/s\n", t, rt / 1024, (t > 0 ? n / t : 0)
  printf "ratio tillit/jq: %.2f (target <= 2)\n", (j > 0 ? t / j : 0)
}'
