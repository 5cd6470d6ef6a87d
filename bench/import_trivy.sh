#!/usr/bin/env bash
# Scanner import into the database (services/findings.h through `tillit import`): generates a
# Trivy JSON report of FINDINGS vulnerabilities over ASSETS targets (default 100,000 over
# 1,000; bench/ingest_parse.cpp's generator), then times in the same run:
#   jq        jq -c '.Results[].Vulnerabilities[]' FILE > /dev/null   (best of RUNS)
#   import    tillit import FILE --scope bench   into a fresh SQLite installation
#   reimport  the same file again (every finding unchanged: a lookup and an update each)
# and prints each time, the ratios to jq (the target is at most 2), the import rate and the
# peak RSS of each (/usr/bin/time).
#   bash bench/import_trivy.sh [FINDINGS] [ASSETS]
# Environment: BUILD_DIR (default build/findings-release), RUNS (default 3).
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
findings=${1:-100000}
assets=${2:-1000}
runs=${RUNS:-3}
build="${BUILD_DIR:-$root_dir/build/findings-release}"

command -v jq >/dev/null || { echo "import_trivy.sh: jq is not installed (apt-get install jq)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "import_trivy.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

cmake -G Ninja -S "$root_dir" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTILLIT_TESTS=OFF >/dev/null
cmake --build "$build" --target tillit ingest_parse_bench >/dev/null
tillit="$build/apps/tillit/tillit"
generator="$build/ingest/ingest_parse_bench"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
report="$work/trivy.json"
"$generator" generate "$report" "$findings" "$assets"
size_mb=$(( $(stat -c %s "$report") / 1024 / 1024 ))
echo "report: $findings findings over $assets assets, $size_mb MiB"
"$tillit" init --data "$work/data" >/dev/null

# Wall seconds and peak RSS (KiB) of a command: "SECONDS KIB".
measure() { /usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }; cat "$work/time"; }

best_jq="" rss_jq=0
for _ in $(seq "$runs"); do
  read -r t m < <(measure sh -c "jq -c '.Results[].Vulnerabilities[]' '$report' > /dev/null")
  if [ -z "$best_jq" ] || awk "BEGIN{exit !($t < $best_jq)}"; then best_jq=$t; fi
  rss_jq=$(( m > rss_jq ? m : rss_jq ))
done
read -r t_import rss_import < <(measure "$tillit" import "$report" --data "$work/data" --scope bench)
sed -n 2p "$work/out"
read -r t_reimport rss_reimport < <(measure "$tillit" import "$report" --data "$work/data" --scope bench)
sed -n 2p "$work/out"
db_mb=$(( $(stat -c %s "$work/data/tillit.db") / 1024 / 1024 ))

awk -v j="$best_jq" -v a="$t_import" -v b="$t_reimport" -v n="$findings" -v rj="$rss_jq" -v ra="$rss_import" \
    -v rb="$rss_reimport" -v db="$db_mb" 'BEGIN {
  printf "jq        %6.2f s   peak RSS %7.1f MiB\n", j, rj / 1024
  printf "import    %6.2f s   peak RSS %7.1f MiB   %.0f findings/s   ratio to jq %.2f (target <= 2)\n", a, ra / 1024, (a > 0 ? n / a : 0), (j > 0 ? a / j : 0)
  printf "reimport  %6.2f s   peak RSS %7.1f MiB   %.0f findings/s   ratio to jq %.2f (target <= 2)\n", b, rb / 1024, (b > 0 ? n / b : 0), (j > 0 ? b / j : 0)
  printf "database  %d MiB\n", db
}'
